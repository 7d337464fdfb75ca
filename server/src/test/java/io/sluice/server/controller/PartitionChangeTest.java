package io.sluice.server.controller;

import io.sluice.server.metadata.PartitionState;
import io.sluice.server.zk.ZkData.LeaderAndIsr;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Elections and eligible leader replicas (KIP-966). The sequences with brokers 3 and 4 are the ones a five-node Kafka
 * 4.3 cluster went through for a topic on replicas [4, 3] with {@code min.insync.replicas=2}, as
 * {@code Admin.describeTopics} showed them after each step.
 */
class PartitionChangeTest {

    private static final int CONTROLLER_EPOCH = 3;

    private static PartitionState state(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
                                        List<Integer> elr, List<Integer> lastKnownElr) {
        return new PartitionState(0, leader, leaderEpoch, replicas, isr, 7, elr, lastKnownElr, 100L);
    }

    private static PartitionState applied(PartitionState before, LeaderAndIsr next) {
        return new PartitionState(before.partition(), next.leader(), next.leaderEpoch(), before.replicas(), next.isr(),
                before.partitionEpoch() + 1, next.elr(), next.lastKnownElr(), before.stateZxid() + 10);
    }

    private static LeaderAndIsr elect(PartitionState p, Set<Integer> live, Set<Integer> voided, int minIsr,
                                      boolean unclean) {
        return Controller.electLeader(p, live, voided, minIsr, unclean, CONTROLLER_EPOCH)
                .map(PartitionChange.Result::state).orElse(null);
    }

    @Test
    void electsTheFirstLiveIsrReplicaAndShrinksTheIsr() {
        PartitionState p = state(1, 4, List.of(1, 2, 0), List.of(1, 2, 0), List.of(), List.of());
        assertEquals(Optional.empty(), Controller.electLeader(p, Set.of(0, 1, 2), Set.of(), 1, false, CONTROLLER_EPOCH));
        assertEquals(new LeaderAndIsr(2, 5, List.of(2, 0), CONTROLLER_EPOCH), elect(p, Set.of(0, 2), Set.of(), 1, false));
        assertEquals(new LeaderAndIsr(1, 5, List.of(1, 2), CONTROLLER_EPOCH), elect(p, Set.of(1, 2), Set.of(), 1, false));
        // at min.insync.replicas the ISR is big enough: no eligible leader replicas
        assertEquals(new LeaderAndIsr(1, 5, List.of(1, 2), CONTROLLER_EPOCH), elect(p, Set.of(1, 2), Set.of(), 2, false));
    }

    @Test
    void theLastIsrMembersAreEligibleLeadersAndOneThatShutDownCleanlyLeadsAgain() {
        // follower 3 stopped cleanly: ISR [4], ELR [3]
        PartitionState start = state(4, 0, List.of(4, 3), List.of(4, 3), List.of(), List.of());
        LeaderAndIsr followerGone = elect(start, Set.of(4, 0, 1, 2), Set.of(), 2, false);
        assertEquals(new LeaderAndIsr(4, 1, List.of(4), CONTROLLER_EPOCH, List.of(3), List.of()), followerGone);
        // then leader 4 killed: no leader, ISR empty, ELR [3, 4], last known leader 4
        PartitionState leaderOnly = applied(start, followerGone);
        LeaderAndIsr offline = elect(leaderOnly, Set.of(0, 1, 2), Set.of(), 2, false);
        assertEquals(new LeaderAndIsr(-1, 2, List.of(), CONTROLLER_EPOCH, List.of(3, 4), List.of(4)), offline);
        // the cleanly stopped 3 comes back: it leads from the ELR, alone in the ISR; 4 stays eligible
        LeaderAndIsr back = elect(applied(leaderOnly, offline), Set.of(3, 0, 1, 2), Set.of(), 2, false);
        assertEquals(new LeaderAndIsr(3, 3, List.of(3), CONTROLLER_EPOCH, List.of(4), List.of()), back);
    }

    @Test
    void aReplicaThatRestartedUncleanlyLeavesTheElrAndTheLastKnownLeaderLeadsOnceNoEligibleOneIsLeft() {
        PartitionState offline = state(-1, 2, List.of(4, 3), List.of(), List.of(3, 4), List.of(4));
        // 4, the last leader, restarts after kill -9: it may have lost acknowledged records, 3 may not have
        LeaderAndIsr fourBack = elect(offline, Set.of(4, 0, 1, 2), Set.of(4), 2, false);
        assertEquals(new LeaderAndIsr(-1, 2, List.of(), CONTROLLER_EPOCH, List.of(3), List.of(4)), fourBack);
        // 3 restarts after kill -9 too: no eligible leader is left, and the last known leader leads (unclean)
        PartitionState threeEligible = applied(offline, fourBack);
        Optional<PartitionChange.Result> bothBack = Controller.electLeader(threeEligible, Set.of(4, 3, 0, 1, 2),
                Set.of(3), 2, false, CONTROLLER_EPOCH);
        assertEquals(new LeaderAndIsr(4, 3, List.of(4), CONTROLLER_EPOCH), bothBack.orElseThrow().state());
        assertTrue(bothBack.get().unclean());
    }

    @Test
    void aSingleReplicaRestartedAfterACrashLeadsAgainAsTheLastKnownLeader() {
        // one broker, kill -9, restart: its ISR membership is void, and it is the last known leader
        PartitionState p = state(0, 4, List.of(0), List.of(0), List.of(), List.of());
        assertEquals(new LeaderAndIsr(0, 6, List.of(0), CONTROLLER_EPOCH), elect(p, Set.of(0), Set.of(0), 1, false));
        // after a clean shutdown nothing changes
        assertEquals(Optional.empty(), Controller.electLeader(p, Set.of(0), Set.of(), 1, false, CONTROLLER_EPOCH));
    }

    @Test
    void aCrashedLeaderWithAFollowerInTheIsrHandsOverWithoutLeadingFromItsVoidMembership() {
        // leader 1 restarted after a crash so fast that its old registration was never seen gone
        PartitionState p = state(1, 4, List.of(1, 2), List.of(1, 2), List.of(), List.of());
        assertEquals(new LeaderAndIsr(2, 5, List.of(2), CONTROLLER_EPOCH, List.of(), List.of()),
                elect(p, Set.of(1, 2), Set.of(1), 2, false));
    }

    @Test
    void anUncleanElectionTakesTheFirstLiveReplicaAloneOnlyWhenNoCleanCandidateLives() {
        PartitionState single = state(1, 4, List.of(1, 2, 0), List.of(1), List.of(), List.of());
        // without it: offline, 1 eligible and the last known leader
        assertEquals(new LeaderAndIsr(-1, 5, List.of(), CONTROLLER_EPOCH, List.of(1), List.of(1)),
                elect(single, Set.of(0, 2), Set.of(), 1, false));
        assertEquals(new LeaderAndIsr(2, 5, List.of(2), CONTROLLER_EPOCH), elect(single, Set.of(0, 2), Set.of(), 1, true));
        // an ISR member lives: the clean choice wins even when unclean election is allowed
        PartitionState two = state(1, 4, List.of(1, 2, 0), List.of(1, 0), List.of(), List.of());
        assertEquals(new LeaderAndIsr(0, 5, List.of(0), CONTROLLER_EPOCH), elect(two, Set.of(0, 2), Set.of(), 1, true));
        // an eligible leader replica lives: it wins too
        PartitionState eligible = state(-1, 5, List.of(1, 2, 0), List.of(), List.of(0), List.of(1));
        assertEquals(new LeaderAndIsr(0, 6, List.of(0), CONTROLLER_EPOCH), elect(eligible, Set.of(0, 2), Set.of(), 2, true));
    }

    @Test
    void alterPartitionShrinksBelowTheMinimumIntoTheElrAndAnExpansionToItClearsIt() {
        PartitionState p = state(4, 1, List.of(4, 3, 5), List.of(4, 3), List.of(), List.of());
        Optional<PartitionChange.Result> shrink = PartitionChange.next(p, List.of(4), r -> true, Set.of(), 2, false,
                CONTROLLER_EPOCH, false);
        assertEquals(new LeaderAndIsr(4, 1, List.of(4), CONTROLLER_EPOCH, List.of(3), List.of()),
                shrink.orElseThrow().state());
        assertFalse(shrink.get().unclean());
        PartitionState shrunk = applied(p, shrink.get().state());
        assertEquals(new LeaderAndIsr(4, 1, List.of(4, 5), CONTROLLER_EPOCH), PartitionChange.next(shrunk,
                List.of(4, 5), r -> true, Set.of(), 2, false, CONTROLLER_EPOCH, false).orElseThrow().state());
        // a member whose ELR membership is void leaves it on the next change
        assertEquals(new LeaderAndIsr(4, 1, List.of(4), CONTROLLER_EPOCH, List.of(), List.of()), PartitionChange.next(
                shrunk, List.of(4), r -> true, Set.of(3), 2, false, CONTROLLER_EPOCH, false).orElseThrow().state());
    }
}
