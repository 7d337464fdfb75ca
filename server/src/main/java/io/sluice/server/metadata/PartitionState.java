package io.sluice.server.metadata;

import java.util.List;

/**
 * One partition as the controller last wrote it: assignment from {@code /brokers/topics/<topic>}, and
 * leader, leader epoch, ISR and KIP-966's eligible leader replicas from {@code .../partitions/<p>/state}. Immutable.
 *
 * @param partitionEpoch the ZooKeeper version of the state node, bumped by every change (Kafka's
 *                       partition epoch); -1 while the node does not exist
 * @param elr            the eligible leader replicas: members that left an ISR smaller than
 *                       {@code min.insync.replicas}, so they hold every committed record and may lead when the ISR is
 *                       empty
 * @param lastKnownElr   the last leader of a partition whose ISR went empty, elected when the ELR is empty too
 * @param stateZxid      the zxid of the state node's last write (its mzxid), -1 while it does not exist: a membership
 *                       written before a broker's current registration (whose epoch is that registration's czxid)
 *                       belongs to the broker's previous life
 */
public record PartitionState(int partition, int leader, int leaderEpoch, List<Integer> replicas,
                             List<Integer> isr, int partitionEpoch, List<Integer> elr, List<Integer> lastKnownElr,
                             long stateZxid) {

    public PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        elr = List.copyOf(elr);
        lastKnownElr = List.copyOf(lastKnownElr);
    }

    /** A state without eligible leader replicas. */
    public PartitionState(int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
                          int partitionEpoch) {
        this(partition, leader, leaderEpoch, replicas, isr, partitionEpoch, List.of(), List.of(), -1L);
    }
}
