package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.HeartbeatRequest;
import io.sluice.coordinator.group.GroupApi.JoinRequest;
import io.sluice.coordinator.group.GroupApi.JoinResult;
import io.sluice.coordinator.group.GroupApi.Protocol;
import io.sluice.coordinator.group.GroupApi.SyncRequest;
import io.sluice.coordinator.group.GroupApi.SyncResult;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classic state machine, on a mock clock and an in-memory log: no sleeping, no threads. */
class ClassicGroupStateMachineTest {

    private static final String GROUP = "g";
    private final ManualTime time = new ManualTime();
    private final MockCoordinatorTimer timer = new MockCoordinatorTimer(time);
    private final List<CoordinatorRecord> written = new ArrayList<>();
    private GroupCoordinatorShard shard;

    @BeforeEach
    void setUp() {
        shard = newShard(GroupConfig.defaults().withInitialRebalanceDelayMs(0));
    }

    private GroupCoordinatorShard newShard(GroupConfig config) {
        CoordinatorLog log = (partition, records) -> {
            written.addAll(records);
            return CompletableFuture.completedFuture(null);
        };
        GroupCoordinatorShard s = new GroupCoordinatorShard(config, time, timer, new AppendQueue(log, Runnable::run), () -> 1);
        s.load(0, List.of());
        return s;
    }

    private static JoinRequest join(String memberId, String instanceId, String protocol) {
        return new JoinRequest(GROUP, memberId, instanceId, "consumer", List.of(new Protocol(protocol, new byte[]{1})),
                10_000, 30_000, "client", "/127.0.0.1", true, true);
    }

    private JoinResult joinWithId(String instanceId) {
        JoinResult first = shard.joinGroup(join("", instanceId, "range")).join();
        if (first.error() != Errors.MEMBER_ID_REQUIRED) {
            return first;
        }
        return shard.joinGroup(join(first.memberId(), instanceId, "range")).join();
    }

    @Test
    void singleMemberJoinsSyncsAndBecomesStable() {
        JoinResult required = shard.joinGroup(join("", null, "range")).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED, required.error());
        JoinResult joined = shard.joinGroup(join(required.memberId(), null, "range")).join();
        assertEquals(Errors.NONE, joined.error());
        assertEquals(1, joined.generationId());
        assertEquals(joined.memberId(), joined.leader());
        assertEquals(ClassicGroupState.COMPLETING_REBALANCE, shard.group(GROUP).state());
        SyncResult synced = shard.syncGroup(new SyncRequest(GROUP, 1, joined.memberId(), null, "consumer", "range",
                Map.of(joined.memberId(), new byte[]{7}))).join();
        assertEquals(Errors.NONE, synced.error());
        assertArrayEquals(new byte[]{7}, synced.assignment());
        assertEquals(ClassicGroupState.STABLE, shard.group(GROUP).state());
        assertEquals(1, written.size(), "the assignment is persisted as one GroupMetadata record");
        GroupRecords.GroupRecord record = (GroupRecords.GroupRecord) GroupRecords.decode(
                ByteBuffer.wrap(written.get(0).key()), ByteBuffer.wrap(written.get(0).value()));
        assertEquals(1, record.value().generation());
        assertEquals("range", record.value().protocol());
    }

    @Test
    void secondMemberTriggersRebalanceAndHeartbeatsSayRebalanceInProgress() {
        JoinResult a = joinWithId(null);
        shard.syncGroup(new SyncRequest(GROUP, 1, a.memberId(), null, null, null, Map.of())).join();
        CompletableFuture<JoinResult> bJoin = shard.joinGroup(join(
                shard.joinGroup(join("", null, "range")).join().memberId(), null, "range"));
        assertFalse(bJoin.isDone(), "the join waits for the other member");
        assertEquals(ClassicGroupState.PREPARING_REBALANCE, shard.group(GROUP).state());
        assertEquals(Errors.REBALANCE_IN_PROGRESS, shard.heartbeat(new HeartbeatRequest(GROUP, 1, a.memberId(), null)));
        CompletableFuture<JoinResult> aJoin = shard.joinGroup(join(a.memberId(), null, "range"));
        assertEquals(2, aJoin.join().generationId());
        assertEquals(2, bJoin.join().generationId());
        assertEquals(2, aJoin.join().members().size(), "the leader gets every member's metadata");
        assertEquals(Errors.ILLEGAL_GENERATION, shard.heartbeat(new HeartbeatRequest(GROUP, 1, a.memberId(), null)));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, shard.heartbeat(new HeartbeatRequest(GROUP, 2, "nobody", null)));
    }

    @Test
    void expiredSessionRemovesTheMemberAndEmptiesTheGroup() {
        JoinResult a = joinWithId(null);
        shard.syncGroup(new SyncRequest(GROUP, 1, a.memberId(), null, null, null, Map.of())).join();
        timer.advance(9_999);
        assertEquals(Errors.NONE, shard.heartbeat(new HeartbeatRequest(GROUP, 1, a.memberId(), null)));
        timer.advance(10_000);
        assertEquals(ClassicGroupState.EMPTY, shard.group(GROUP).state());
        assertEquals(2, shard.group(GROUP).generationId());
    }

    @Test
    void rebalanceTimeoutDropsMembersThatDidNotRejoin() {
        JoinResult a = joinWithId(null);
        shard.syncGroup(new SyncRequest(GROUP, 1, a.memberId(), null, null, null, Map.of())).join();
        JoinResult bRequired = shard.joinGroup(join("", null, "range")).join();
        CompletableFuture<JoinResult> b = shard.joinGroup(join(bRequired.memberId(), null, "range"));
        // a keeps heartbeating but never rejoins
        for (int i = 0; i < 10; i++) {
            timer.advance(2_999);
            shard.heartbeat(new HeartbeatRequest(GROUP, 1, a.memberId(), null));
        }
        timer.advance(1_000);
        assertEquals(Errors.NONE, b.join().error());
        assertEquals(1, shard.group(GROUP).numMembers());
        assertEquals(b.join().memberId(), b.join().leader());
    }

    @Test
    void staticMemberRejoinsStableGroupWithoutRebalanceAndFencesTheOldId() {
        JoinResult first = joinWithId("instance-1");
        assertEquals(Errors.NONE, first.error(), "static members get no MEMBER_ID_REQUIRED");
        shard.syncGroup(new SyncRequest(GROUP, 1, first.memberId(), "instance-1", null, null,
                Map.of(first.memberId(), new byte[]{3}))).join();
        JoinResult again = shard.joinGroup(join("", "instance-1", "range")).join();
        assertEquals(Errors.NONE, again.error());
        assertEquals(1, again.generationId(), "no new generation");
        assertTrue(again.skipAssignment());
        assertEquals(ClassicGroupState.STABLE, shard.group(GROUP).state());
        assertEquals(Errors.FENCED_INSTANCE_ID,
                shard.heartbeat(new HeartbeatRequest(GROUP, 1, first.memberId(), "instance-1")));
        SyncResult synced = shard.syncGroup(new SyncRequest(GROUP, 1, again.memberId(), "instance-1", null, null, Map.of())).join();
        assertArrayEquals(new byte[]{3}, synced.assignment());
    }

    @Test
    void protocolChecksAndLimits() {
        JoinResult a = joinWithId(null);
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, shard.joinGroup(join("", null, "roundrobin")).join().error());
        JoinRequest tooShort = new JoinRequest(GROUP, "", null, "consumer", List.of(new Protocol("range", new byte[0])),
                1, 30_000, "c", "h", true, true);
        assertEquals(Errors.INVALID_SESSION_TIMEOUT, shard.joinGroup(tooShort).join().error());
        GroupCoordinatorShard limited = newShard(GroupConfig.defaults().withInitialRebalanceDelayMs(0).withGroupMaxSize(1));
        shard = limited;
        JoinResult only = joinWithId(null);
        shard.syncGroup(new SyncRequest(GROUP, 1, only.memberId(), null, null, null, Map.of())).join();
        assertEquals(Errors.GROUP_MAX_SIZE_REACHED, shard.joinGroup(join("", null, "range")).join().error());
        assertEquals(Errors.NONE, a.error());
    }

    @Test
    void initialRebalanceDelayWaitsForMoreMembers() {
        shard = newShard(GroupConfig.defaults());
        CompletableFuture<JoinResult> a = shard.joinGroup(join(shard.joinGroup(join("", null, "range")).join().memberId(), null, "range"));
        assertFalse(a.isDone());
        timer.advance(2_000);
        CompletableFuture<JoinResult> b = shard.joinGroup(join(shard.joinGroup(join("", null, "range")).join().memberId(), null, "range"));
        timer.advance(1_000);
        assertFalse(a.isDone(), "a new member during the delay extends it");
        timer.advance(3_000);
        assertEquals(1, a.join().generationId());
        assertEquals(1, b.join().generationId());
    }

    @Test
    void offsetsCommitFetchAndMemberChecks() {
        GroupApi.CommitRequest simple = new GroupApi.CommitRequest("simple", -1, "", null, -1,
                List.of(new GroupApi.CommitPartition("t", 0, 42, 3, "meta")));
        assertEquals(Errors.NONE, shard.offsets.commit(simple, (short) 9).join().get(0).error());
        GroupApi.FetchResult fetched = shard.offsets.fetch(new GroupApi.FetchRequest("simple", null, false));
        assertEquals(42, fetched.offsets().get(0).offset());
        assertEquals("meta", fetched.offsets().get(0).metadata());
        GroupApi.CommitRequest tooLarge = new GroupApi.CommitRequest("simple", -1, "", null, -1,
                List.of(new GroupApi.CommitPartition("t", 1, 1, -1, "x".repeat(4097))));
        assertEquals(Errors.OFFSET_METADATA_TOO_LARGE, shard.offsets.commit(tooLarge, (short) 9).join().get(0).error());
        JoinResult a = joinWithId(null);
        GroupApi.CommitRequest during = new GroupApi.CommitRequest(GROUP, 1, a.memberId(), null, -1,
                List.of(new GroupApi.CommitPartition("t", 0, 1, -1, "")));
        assertEquals(Errors.REBALANCE_IN_PROGRESS, shard.offsets.commit(during, (short) 9).join().get(0).error());
        GroupApi.CommitRequest unknownGroup = new GroupApi.CommitRequest("nope", 5, "m", null, -1,
                List.of(new GroupApi.CommitPartition("t", 0, 1, -1, "")));
        assertEquals(Errors.GROUP_ID_NOT_FOUND, shard.offsets.commit(unknownGroup, (short) 9).join().get(0).error());
        assertEquals(Errors.ILLEGAL_GENERATION, shard.offsets.commit(unknownGroup, (short) 8).join().get(0).error());
    }

    @Test
    void offsetsOfDeletedTopicsAreTombstonedInEveryGroup() {
        for (String group : List.of("g1", "g2")) {
            shard.offsets.commit(new GroupApi.CommitRequest(group, -1, "", null, -1, List.of(
                    new GroupApi.CommitPartition("deleted", 0, 7, -1, ""),
                    new GroupApi.CommitPartition("kept", 0, 8, -1, ""))), (short) 9).join();
        }
        written.clear();
        shard.offsets.onTopicsDeleted(java.util.Set.of("deleted"));
        assertEquals(2, written.size(), "one tombstone per group");
        assertTrue(written.stream().allMatch(r -> r.value() == null));
        for (String group : List.of("g1", "g2")) {
            List<GroupApi.FetchedOffset> left = shard.offsets.fetch(new GroupApi.FetchRequest(group, null, false)).offsets();
            assertEquals(List.of("kept"), left.stream().map(GroupApi.FetchedOffset::topic).toList());
        }
    }

    @Test
    void recordsReplayIntoAFreshCoordinator() {
        JoinResult a = joinWithId("static-1");
        shard.syncGroup(new SyncRequest(GROUP, 1, a.memberId(), "static-1", null, null, Map.of(a.memberId(), new byte[]{9}))).join();
        shard.offsets.commit(new GroupApi.CommitRequest(GROUP, 1, a.memberId(), "static-1", -1,
                List.of(new GroupApi.CommitPartition("t", 0, 5, -1, "m"))), (short) 9).join();
        List<GroupRecords.Decoded> decoded = new ArrayList<>();
        written.forEach(r -> decoded.add(GroupRecords.decode(ByteBuffer.wrap(r.key()),
                r.value() == null ? null : ByteBuffer.wrap(r.value()))));
        GroupCoordinatorShard reloaded = new GroupCoordinatorShard(GroupConfig.defaults(), time, timer,
                new AppendQueue((p, r) -> CompletableFuture.completedFuture(null), Runnable::run), () -> 1);
        reloaded.load(0, decoded);
        assertEquals(ClassicGroupState.STABLE, reloaded.group(GROUP).state());
        assertEquals(5, reloaded.offsets.fetch(new GroupApi.FetchRequest(GROUP, null, false)).offsets().get(0).offset());
        assertEquals(Errors.NONE, reloaded.heartbeat(new HeartbeatRequest(GROUP, 1, a.memberId(), "static-1")));
        assertNull(reloaded.group("other"));
    }
}
