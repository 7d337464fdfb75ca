package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.CommitPartition;
import io.sluice.coordinator.group.GroupApi.CommitRequest;
import io.sluice.coordinator.group.GroupApi.FetchRequest;
import io.sluice.coordinator.group.GroupApi.FetchedOffset;
import io.sluice.coordinator.group.GroupApi.HeartbeatRequest;
import io.sluice.coordinator.group.GroupApi.JoinRequest;
import io.sluice.coordinator.group.GroupApi.JoinResult;
import io.sluice.coordinator.group.GroupApi.LeavingMember;
import io.sluice.coordinator.group.GroupApi.Protocol;
import io.sluice.coordinator.group.GroupApi.SyncRequest;
import io.sluice.coordinator.group.GroupApi.TopicPartitionKey;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expiry of committed offsets ({@code offsets.retention.minutes}, checked every
 * {@code offsets.retention.check.interval.ms}) with Kafka's rules (KIP-211, KIP-496), on a mock clock: the
 * periodic check runs on the coordinator timer, so advancing the clock runs it.
 */
class OffsetExpiryTest {

    private static final String GROUP = "g";
    private static final long DAY = 24 * 60 * 60 * 1000L;
    private static final long RETENTION = 7 * DAY;
    private static final long CHECK_INTERVAL = 10 * 60 * 1000L;
    private static final int SESSION_TIMEOUT = 30 * 60 * 1000;
    private static final long HEARTBEAT_INTERVAL = 20 * 60 * 1000L;

    private final ManualTime time = new ManualTime();
    private final MockCoordinatorTimer timer = new MockCoordinatorTimer(time);
    private final List<CoordinatorRecord> written = new ArrayList<>();
    private GroupCoordinatorShard shard;

    @BeforeEach
    void setUp() {
        shard = new GroupCoordinatorShard(GroupConfig.defaults().withInitialRebalanceDelayMs(0), time, timer,
                new AppendQueue((partition, records) -> {
                    written.addAll(records);
                    return CompletableFuture.completedFuture(null);
                }, Runnable::run), () -> 1);
        shard.load(0, List.of());
        shard.scheduleOffsetsExpiration();
    }

    @Test
    void kafkaDefaults() {
        GroupConfig defaults = GroupConfig.defaults();
        assertEquals(10080 * 60_000L, defaults.offsetsRetentionMs());
        assertEquals(600_000L, defaults.offsetsRetentionCheckIntervalMs());
        GroupConfig custom = GroupConfig.from(Map.of(GroupConfig.OFFSETS_RETENTION_MINUTES, "1440",
                GroupConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS, "1000"));
        assertEquals(DAY, custom.offsetsRetentionMs());
        assertEquals(1000L, custom.offsetsRetentionCheckIntervalMs());
        assertTrue(timer.isScheduled(GroupCoordinatorShard.OFFSETS_EXPIRATION_KEY));
    }

    @Test
    void offsetsOfAnEmptyGroupExpireRetentionAfterItBecameEmptyAndTombstonesMakeAReplayForgetThem() {
        JoinResult member = joinAndSync(List.of("t"));
        commit(member, "t", 0, 5);
        // Stable for two days: the commit is older than the time the group becomes empty.
        keepAlive(member, 2 * DAY);
        shard.leaveGroup(GROUP, List.of(new LeavingMember(member.memberId(), null)));
        assertEquals(ClassicGroupState.EMPTY, shard.group(GROUP).state());
        long emptySince = time.milliseconds();
        int beforeExpiry = written.size();

        // Retention from the commit has passed, retention from emptiness not yet.
        advanceTo(emptySince + RETENTION - 1);
        assertEquals(5, committed(shard, GROUP, "t", 0));
        assertEquals(beforeExpiry, written.size(), "nothing expired yet");

        advanceTo(emptySince + RETENTION - 1 + CHECK_INTERVAL);
        assertEquals(-1, committed(shard, GROUP, "t", 0), "gone from OffsetFetch");
        assertTrue(shard.offsets.fetch(new FetchRequest(GROUP, null, false)).offsets().isEmpty());
        assertNull(shard.group(GROUP), "an Empty group left with no offsets is deleted");
        List<CoordinatorRecord> expiry = written.subList(beforeExpiry, written.size());
        assertEquals(2, expiry.size(), "one offset tombstone and one group tombstone");
        assertTrue(expiry.stream().allMatch(r -> r.value() == null));
        GroupRecords.OffsetRecord tombstone = (GroupRecords.OffsetRecord) decode(expiry.get(0));
        assertEquals(List.of(GROUP, "t", 0), List.of(tombstone.groupId(), tombstone.topic(), tombstone.partition()));
        assertTrue(decode(expiry.get(1)) instanceof GroupRecords.GroupRecord);

        // Replaying the records up to the expiry restores the offset; with the tombstones it is forgotten.
        GroupCoordinatorShard beforeTombstones = reload(written.subList(0, beforeExpiry));
        assertEquals(5, committed(beforeTombstones, GROUP, "t", 0));
        GroupCoordinatorShard reloaded = reload(written);
        assertEquals(-1, committed(reloaded, GROUP, "t", 0));
        assertNull(reloaded.group(GROUP));
    }

    @Test
    void emptySinceSurvivesAReload() {
        JoinResult member = joinAndSync(List.of("t"));
        commit(member, "t", 0, 5);
        keepAlive(member, DAY);
        shard.leaveGroup(GROUP, List.of(new LeavingMember(member.memberId(), null)));
        long emptySince = time.milliseconds();
        advanceTo(emptySince + 3 * DAY);

        // A restart three days later: the group metadata record carries when the group became empty.
        MockCoordinatorTimer reloadedTimer = new MockCoordinatorTimer(time);
        List<CoordinatorRecord> reloadedWritten = new ArrayList<>();
        GroupCoordinatorShard reloaded = new GroupCoordinatorShard(GroupConfig.defaults(), time, reloadedTimer,
                new AppendQueue((p, r) -> {
                    reloadedWritten.addAll(r);
                    return CompletableFuture.completedFuture(null);
                }, Runnable::run), () -> 1);
        reloaded.load(0, decodeAll(written));
        reloaded.scheduleOffsetsExpiration();
        assertEquals(ClassicGroupState.EMPTY, reloaded.group(GROUP).state());
        reloadedTimer.advance(emptySince + RETENTION - 1 - time.milliseconds());
        assertEquals(5, committed(reloaded, GROUP, "t", 0));
        reloadedTimer.advance(CHECK_INTERVAL);
        assertEquals(-1, committed(reloaded, GROUP, "t", 0));
        assertEquals(2, reloadedWritten.size());
    }

    @Test
    void simpleCommitsExpireRetentionAfterTheirCommit() {
        long first = time.milliseconds();
        simpleCommit("t", 0, 10, -1);
        advanceTo(first + 3 * DAY);
        long second = time.milliseconds();
        simpleCommit("t", 1, 20, -1);
        int beforeExpiry = written.size();

        advanceTo(first + RETENTION - 1);
        assertEquals(10, committed(shard, GROUP, "t", 0));
        advanceTo(first + RETENTION - 1 + CHECK_INTERVAL);
        assertEquals(-1, committed(shard, GROUP, "t", 0), "expired retention after its commit");
        assertEquals(20, committed(shard, GROUP, "t", 1), "committed later, kept");
        assertNotNull(shard.group(GROUP), "the group still has offsets");
        assertEquals(1, written.size() - beforeExpiry, "only the expired offset is tombstoned");
        assertNull(written.get(written.size() - 1).value());

        advanceTo(second + RETENTION - 1 + CHECK_INTERVAL);
        assertEquals(-1, committed(shard, GROUP, "t", 1));
        assertNull(shard.group(GROUP));
        assertEquals(3, written.size() - beforeExpiry, "second offset tombstone and the group tombstone");
        GroupCoordinatorShard reloaded = reload(written);
        assertTrue(reloaded.offsets.fetch(new FetchRequest(GROUP, null, false)).offsets().isEmpty());
        assertNull(reloaded.group(GROUP));
    }

    @Test
    void anExplicitRetentionTimeOfAnOldCommitExpiresThen() {
        long now = time.milliseconds();
        simpleCommit("t", 0, 1, DAY);
        simpleCommit("t", 1, 2, -1);
        advanceTo(now + DAY - 1);
        assertEquals(1, committed(shard, GROUP, "t", 0));
        advanceTo(now + DAY - 1 + CHECK_INTERVAL);
        assertEquals(-1, committed(shard, GROUP, "t", 0), "v2-4 retention_time_ms decides");
        assertEquals(2, committed(shard, GROUP, "t", 1));
    }

    @Test
    void aStableGroupKeepsOffsetsOfItsSubscribedTopicsOnly() {
        JoinResult member = joinAndSync(List.of("t"));
        commit(member, "t", 0, 5);
        commit(member, "unsubscribed", 0, 6);
        long committedAt = time.milliseconds();
        int beforeExpiry = written.size();

        keepAlive(member, RETENTION + 2 * CHECK_INTERVAL);
        assertEquals(ClassicGroupState.STABLE, shard.group(GROUP).state());
        assertEquals(5, committed(shard, GROUP, "t", 0), "subscribed: kept past the retention");
        // KIP-496: offsets of topics no member subscribes to expire retention after their commit.
        assertEquals(-1, committed(shard, GROUP, "unsubscribed", 0));
        assertEquals(1, written.size() - beforeExpiry, "only the unsubscribed offset is tombstoned");
        GroupRecords.OffsetRecord tombstone = (GroupRecords.OffsetRecord) decode(written.get(written.size() - 1));
        assertEquals("unsubscribed", tombstone.topic());
        assertNull(tombstone.value());

        // Once the group is empty, the subscribed topic's offset expires retention after that, not after its commit.
        shard.leaveGroup(GROUP, List.of(new LeavingMember(member.memberId(), null)));
        long emptySince = time.milliseconds();
        assertTrue(emptySince - committedAt > RETENTION);
        advanceTo(emptySince + 2 * CHECK_INTERVAL);
        assertEquals(5, committed(shard, GROUP, "t", 0));
        advanceTo(emptySince + RETENTION + CHECK_INTERVAL);
        assertEquals(-1, committed(shard, GROUP, "t", 0));
        assertNull(shard.group(GROUP));
    }

    // ---------------------------------------------------------------- helpers

    private JoinResult joinAndSync(List<String> topics) {
        byte[] subscription = Utils.toArray(ConsumerProtocol.serializeSubscription(new Subscription(topics)));
        JoinRequest join = new JoinRequest(GROUP, "", null, "consumer", List.of(new Protocol("range", subscription)),
                SESSION_TIMEOUT, 60_000, "client", "/127.0.0.1", true, true);
        JoinResult required = shard.joinGroup(join).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED, required.error());
        JoinResult joined = shard.joinGroup(new JoinRequest(GROUP, required.memberId(), null, "consumer",
                join.protocols(), SESSION_TIMEOUT, 60_000, "client", "/127.0.0.1", true, true)).join();
        assertEquals(Errors.NONE, joined.error());
        assertEquals(Errors.NONE, shard.syncGroup(new SyncRequest(GROUP, joined.generationId(), joined.memberId(), null,
                "consumer", "range", Map.of(joined.memberId(), new byte[0]))).join().error());
        assertEquals(ClassicGroupState.STABLE, shard.group(GROUP).state());
        return joined;
    }

    private void commit(JoinResult member, String topic, int partition, long offset) {
        assertEquals(Errors.NONE, shard.offsets.commit(new CommitRequest(GROUP, member.generationId(), member.memberId(),
                null, -1, List.of(new CommitPartition(topic, partition, offset, -1, ""))), (short) 9).join().get(0).error());
    }

    private void simpleCommit(String topic, int partition, long offset, long retentionTimeMs) {
        assertEquals(Errors.NONE, shard.offsets.commit(new CommitRequest(GROUP, -1, "", null, retentionTimeMs,
                List.of(new CommitPartition(topic, partition, offset, -1, ""))), (short) 2).join().get(0).error());
    }

    /** Heartbeats the member for {@code durationMs}, so the group stays Stable while the clock moves. */
    private void keepAlive(JoinResult member, long durationMs) {
        long end = time.milliseconds() + durationMs;
        while (time.milliseconds() < end) {
            timer.advance(Math.min(HEARTBEAT_INTERVAL, end - time.milliseconds()));
            assertEquals(Errors.NONE, shard.heartbeat(new HeartbeatRequest(GROUP, member.generationId(),
                    member.memberId(), null)));
        }
    }

    private void advanceTo(long timeMs) {
        assertTrue(timeMs >= time.milliseconds());
        timer.advance(timeMs - time.milliseconds());
    }

    private static long committed(GroupCoordinatorShard s, String group, String topic, int partition) {
        List<FetchedOffset> fetched = s.offsets.fetch(new FetchRequest(group,
                List.of(new TopicPartitionKey(topic, partition)), false)).offsets();
        assertEquals(1, fetched.size());
        return fetched.get(0).offset();
    }

    private GroupCoordinatorShard reload(List<CoordinatorRecord> records) {
        GroupCoordinatorShard reloaded = new GroupCoordinatorShard(GroupConfig.defaults(), time,
                new MockCoordinatorTimer(time), new AppendQueue((p, r) -> CompletableFuture.completedFuture(null),
                Runnable::run), () -> 1);
        reloaded.load(0, decodeAll(records));
        return reloaded;
    }

    private static List<GroupRecords.Decoded> decodeAll(List<CoordinatorRecord> records) {
        List<GroupRecords.Decoded> decoded = new ArrayList<>();
        records.forEach(r -> decoded.add(decode(r)));
        return decoded;
    }

    private static GroupRecords.Decoded decode(CoordinatorRecord r) {
        return GroupRecords.decode(ByteBuffer.wrap(r.key()), r.value() == null ? null : ByteBuffer.wrap(r.value()));
    }
}
