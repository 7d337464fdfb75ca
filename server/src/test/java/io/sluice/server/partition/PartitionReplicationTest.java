package io.sluice.server.partition;

import io.sluice.server.metadata.IsrChange;
import io.sluice.server.metadata.IsrChangeResult;
import io.sluice.server.metadata.PartitionState;
import io.sluice.storage.LogConfig;
import io.sluice.storage.LogManager;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader's side of replication in {@link Partition}, on a real log: the high watermark follows the slowest ISR
 * member, ISR changes go to the controller one at a time and take effect when committed, a lagging member is dropped
 * by time, a caught-up replica is added back, and a follower whose last epoch diverged is told where to truncate.
 */
class PartitionReplicationTest {

    private static final int LEADER = 0;
    private static final long MAX_LAG_MS = 10_000;
    private static final Set<Integer> LIVE = Set.of(0, 1, 2);

    private LogManager logManager;
    private Partition partition;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<IsrChange> sent = new ArrayList<>();
    private final List<CompletableFuture<IsrChangeResult>> answers = new ArrayList<>();
    private final TopicPartition tp = new TopicPartition("replicated", 0);
    private final Uuid topicId = Uuid.randomUuid();

    @BeforeEach
    void leadAPartitionOfThreeReplicas(@TempDir Path dir) throws Exception {
        logManager = new LogManager(List.of(dir), Time.SYSTEM);
        logManager.startup();
        LogConfig config = LogConfig.defaults();
        partition = new Partition(tp, LEADER, logManager.getOrCreate(tp, topicId, config), change -> {
            sent.add(change);
            CompletableFuture<IsrChangeResult> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }, now::get, () -> { });
        partition.applyState(new PartitionState(0, LEADER, 3, List.of(0, 1, 2), List.of(0, 1, 2), 5));
    }

    @AfterEach
    void close() {
        logManager.close();
    }

    @Test
    void theHighWatermarkWaitsForEveryIsrMember() {
        append(3);
        assertEquals(0, partition.highWatermark());
        fetch(1, 3);
        assertEquals(0, partition.highWatermark(), "follower 2 has not fetched yet");
        fetch(2, 2);
        assertEquals(2, partition.highWatermark());
        fetch(2, 3);
        assertEquals(3, partition.highWatermark());
    }

    @Test
    void aLaggingMemberIsProposedForRemovalAndTheHighWatermarkMovesOnceTheControllerCommits() {
        append(3);
        fetch(1, 3);
        now.addAndGet(MAX_LAG_MS + 1);
        fetch(1, 3);
        assertEquals(List.of(2), partition.maybeShrinkIsr(MAX_LAG_MS));
        assertEquals(List.of(0, 1), sent.get(0).newIsr());
        assertEquals(5, sent.get(0).partitionEpoch());
        assertEquals(List.of(), partition.maybeShrinkIsr(MAX_LAG_MS), "one change at a time");
        // not committed yet: the high watermark still waits for the old ISR
        assertEquals(0, partition.highWatermark());
        answers.get(0).complete(new IsrChangeResult(Errors.NONE, LEADER, 3, List.of(0, 1), 6));
        assertEquals(List.of(0, 1), partition.leaderState().isr());
        assertEquals(6, partition.leaderState().partitionEpoch());
        assertEquals(3, partition.highWatermark());
        // the state the controller wrote comes through the image too, and changes nothing
        assertTrue(!partition.applyState(new PartitionState(0, LEADER, 3, List.of(0, 1, 2), List.of(0, 1), 6)));
    }

    @Test
    void aCaughtUpReplicaRejoinsOnlyOnceItHasTheHighWatermarkAndTheEpochStart() {
        partition.applyState(new PartitionState(0, LEADER, 3, List.of(0, 1, 2), List.of(0, 1), 6));
        append(4);
        fetch(1, 4);
        assertEquals(4, partition.highWatermark());
        fetch(2, 2);
        assertTrue(sent.isEmpty(), "replica 2 is behind the high watermark");
        fetch(2, 4);
        assertEquals(1, sent.size());
        assertEquals(List.of(0, 1, 2), sent.get(0).newIsr());
        // while the addition is in flight, acks=all and the high watermark count replica 2 already (maximal ISR)
        append(1);
        fetch(1, 5);
        assertEquals(4, partition.highWatermark());
        fetch(2, 5);
        assertEquals(5, partition.highWatermark());
    }

    @Test
    void anIneligibleReplicaIsDroppedAndProposedAgainLater() {
        partition.applyState(new PartitionState(0, LEADER, 3, List.of(0, 1, 2), List.of(0, 1), 6));
        fetch(2, 0);
        answers.get(0).complete(IsrChangeResult.failed(Errors.INELIGIBLE_REPLICA));
        assertEquals(List.of(0, 1), partition.leaderState().isr());
        fetch(2, 0);
        assertEquals(2, sent.size(), "proposed again at the next fetch");
    }

    @Test
    void acksAllIsRefusedWhileTheIsrIsBelowMinInSyncReplicas() {
        LogConfig strict = LogConfig.defaults().withMinInSyncReplicas(2);
        partition.log().updateConfig(strict);
        partition.applyState(new PartitionState(0, LEADER, 4, List.of(0, 1, 2), List.of(0), 7));
        assertThrows(NotEnoughReplicasException.class, () -> partition.appendRecordsToLeader(records(1), (short) -1));
        partition.appendRecordsToLeader(records(1), (short) 1);
        assertEquals(0, partition.highWatermark(), "strict min ISR: nothing is committed below min.insync.replicas");
    }

    @Test
    void aFollowerWhoseLastEpochEndsEarlierHereIsToldWhereToTruncate() {
        append(3);
        partition.applyState(new PartitionState(0, LEADER, 5, List.of(0, 1, 2), List.of(0, 1, 2), 8));
        append(2);
        // follower 1 has 4 records of epoch 3 (one more than this leader had in that epoch)
        LogReadResult diverged = read(1, 4, Optional.of(3));
        assertNotNull(diverged.divergingEpoch());
        assertEquals(3, diverged.divergingEpoch().leaderEpoch());
        assertEquals(3, diverged.divergingEpoch().endOffset());
        assertEquals(0, diverged.sizeInBytes());
        LogReadResult agreed = read(1, 3, Optional.of(3));
        assertNull(agreed.divergingEpoch());
        assertTrue(agreed.sizeInBytes() > 0);
    }

    private void append(int count) {
        for (int i = 0; i < count; i++) {
            partition.appendRecordsToLeader(records(1), (short) 1);
        }
    }

    private static MemoryRecords records(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(("v" + i).getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private void fetch(int replica, long offset) {
        read(replica, offset, Optional.empty());
    }

    private LogReadResult read(int replica, long offset, Optional<Integer> lastFetchedEpoch) {
        FetchPartition fetch = new FetchPartition(new TopicIdPartition(topicId, tp), offset, 1 << 20, Optional.empty(),
                lastFetchedEpoch);
        return partition.read(fetch, new FetchParams(replica, 7L, 0, 1, 1 << 20, FetchIsolation.LOG_END), 1 << 20, true,
                LIVE::contains);
    }
}
