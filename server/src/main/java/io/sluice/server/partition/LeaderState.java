package io.sluice.server.partition;

import java.util.List;

/**
 * This broker's view of one partition's leadership, replaced as a whole on every metadata change.
 * Immutable.
 *
 * @param leaderId    the leader broker id, -1 when offline
 * @param leaderEpoch the leader epoch from the partition state
 * @param isLeader    true when this broker is the leader
 */
public record LeaderState(int leaderId, int leaderEpoch, boolean isLeader, List<Integer> replicas, List<Integer> isr,
                          int partitionEpoch) {

    public static final LeaderState OFFLINE = new LeaderState(-1, -1, false, List.of(), List.of(), -1);
}
