package io.sluice.server.controller;

import io.sluice.server.metadata.PartitionState;
import io.sluice.server.zk.ZkData.LeaderAndIsr;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * The next leader, ISR and eligible leader replicas (ELR) of one partition, as Kafka's {@code PartitionChangeBuilder}
 * computes them with KIP-966 on (Kafka 4.3's default, {@code eligible.leader.replicas.version=1}). A pure function, so
 * that the controller's two writers of partition state, broker changes and the leaders' AlterPartition, agree.
 *
 * <p>The eligible leader replicas: while the target ISR has at least {@code min.insync.replicas} members, none;
 * otherwise every member of the current ISR and ELR that is not in the target ISR and did not restart after an
 * unclean shutdown. The high watermark does not move while the ISR is below the minimum, so a replica that left the ISR
 * then holds every committed record and may lead once the ISR is empty. The last known leader is recorded when the
 * ISR goes empty, and cleared once a leader is elected.
 *
 * <p>The leader, the first candidate that applies:
 * <table>
 *   <caption>Leader election</caption>
 *   <tr><th>candidate</th><th>when</th><th>ISR afterwards</th></tr>
 *   <tr><td>the current leader</td><td>it is a valid candidate (below) and acceptable</td><td>the target ISR</td></tr>
 *   <tr><td>the first replica of the assignment in the target ISR</td><td>acceptable</td><td>the target ISR</td></tr>
 *   <tr><td>the first replica of the assignment in the ELR</td><td>the target ISR is empty; acceptable</td>
 *       <td>it alone (it leaves the ELR)</td></tr>
 *   <tr><td>the last known leader</td><td>ISR and ELR are empty; acceptable (unclean: no replica is known to hold
 *       every committed record, and it led last)</td><td>it alone</td></tr>
 *   <tr><td>the first acceptable replica of the assignment</td><td>{@code unclean.leader.election.enable}
 *       (unclean)</td><td>it alone, ELR cleared</td></tr>
 *   <tr><td>none (-1)</td><td>otherwise: offline until a candidate comes back</td><td>the target ISR</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 */
final class PartitionChange {

    /** Whether {@code state} came from an unclean election (a replica not known to hold every committed record). */
    record Result(LeaderAndIsr state, boolean unclean) {
    }

    private PartitionChange() {
    }

    /**
     * @param current         the partition as ZooKeeper has it
     * @param targetIsr       the ISR asked for (current ISR without failed members, or a leader's AlterPartition)
     * @param acceptable      the brokers that may lead (live, and not the subject of this change)
     * @param uncleanShutdown brokers whose membership in the ISR and ELR is void: they restarted after an unclean
     *                        shutdown and may have lost acknowledged records
     * @param bumpOnShrink    whether a smaller ISR bumps the leader epoch (the controller's own removals, as Kafka 3.9's
     *                        controller does; AlterPartition shrinks keep the epoch)
     * @return the new state, empty when nothing changes
     */
    static Optional<Result> next(PartitionState current, List<Integer> targetIsr, IntPredicate acceptable,
                                 Set<Integer> uncleanShutdown, int minInSyncReplicas, boolean uncleanElectionAllowed,
                                 int controllerEpoch, boolean bumpOnShrink) {
        List<Integer> isr = List.copyOf(targetIsr);
        List<Integer> elr = eligibleLeaderReplicas(current, isr, uncleanShutdown, minInSyncReplicas);

        Election election = elect(current, isr, elr, acceptable, uncleanElectionAllowed);
        int leader = election.leader();
        boolean unclean = election.unclean();
        List<Integer> newIsr = isr;
        List<Integer> newElr = elr;
        if (unclean) {
            newIsr = List.of(leader);
            newElr = List.of();
        } else if (leader != -1 && isr.isEmpty() && elr.contains(leader)) {
            newIsr = List.of(leader);
            newElr = elr.stream().filter(r -> r != leader).toList();
        }
        List<Integer> lastKnownElr = current.lastKnownElr();
        if (leader != -1) {
            lastKnownElr = List.of();
        } else if (newIsr.isEmpty() && !current.isr().isEmpty()) {
            int lastLeader = current.leader() != -1 ? current.leader()
                    : current.isr().size() == 1 ? current.isr().get(0) : -1;
            lastKnownElr = lastLeader == -1 ? lastKnownElr : List.of(lastLeader);
        }

        boolean leaderChanged = leader != current.leader();
        boolean shrunk = !newIsr.containsAll(current.isr());
        if (!leaderChanged && newIsr.equals(current.isr()) && newElr.equals(current.elr())
                && lastKnownElr.equals(current.lastKnownElr())) {
            return Optional.empty();
        }
        int leaderEpoch = leaderChanged || (bumpOnShrink && shrunk) ? current.leaderEpoch() + 1 : current.leaderEpoch();
        return Optional.of(new Result(new LeaderAndIsr(leader, leaderEpoch, newIsr, controllerEpoch, newElr,
                lastKnownElr), unclean));
    }

    private record Election(int leader, boolean unclean) {
    }

    /** The first candidate of the table in the class comment that applies. */
    private static Election elect(PartitionState current, List<Integer> isr, List<Integer> elr, IntPredicate acceptable,
                                  boolean uncleanElectionAllowed) {
        if (isValidLeader(current.leader(), isr, elr) && acceptable.test(current.leader())) {
            return new Election(current.leader(), false);
        }
        for (int replica : current.replicas()) {
            if (isValidLeader(replica, isr, elr) && acceptable.test(replica)) {
                return new Election(replica, false);
            }
        }
        if (isr.isEmpty() && elr.isEmpty() && current.lastKnownElr().size() == 1
                && acceptable.test(current.lastKnownElr().get(0))) {
            return new Election(current.lastKnownElr().get(0), true);
        }
        if (uncleanElectionAllowed) {
            for (int replica : current.replicas()) {
                if (acceptable.test(replica)) {
                    return new Election(replica, true);
                }
            }
        }
        return new Election(-1, false);
    }

    /** A clean candidate: in the ISR, or in the ELR while the ISR is empty. */
    private static boolean isValidLeader(int replica, List<Integer> isr, List<Integer> elr) {
        return replica >= 0 && (isr.contains(replica) || (isr.isEmpty() && elr.contains(replica)));
    }

    private static List<Integer> eligibleLeaderReplicas(PartitionState current, List<Integer> targetIsr,
                                                        Set<Integer> uncleanShutdown, int minInSyncReplicas) {
        if (targetIsr.size() >= minInSyncReplicas) {
            return List.of();
        }
        Set<Integer> candidates = new TreeSet<>(current.elr());
        candidates.addAll(current.isr());
        candidates.removeAll(targetIsr);
        candidates.removeAll(uncleanShutdown);
        return new ArrayList<>(candidates);
    }
}
