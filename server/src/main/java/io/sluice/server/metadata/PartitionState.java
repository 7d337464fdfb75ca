package io.sluice.server.metadata;

import java.util.List;

/**
 * One partition as the controller last wrote it: assignment from {@code /brokers/topics/<topic>}, and
 * leader, leader epoch and ISR from {@code .../partitions/<p>/state}. Immutable.
 *
 * @param partitionEpoch the ZooKeeper version of the state node, bumped by every change (Kafka's
 *                       partition epoch)
 */
public record PartitionState(int partition, int leader, int leaderEpoch, List<Integer> replicas,
                             List<Integer> isr, int partitionEpoch) {
}
