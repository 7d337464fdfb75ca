package io.sluice.server.controller;

import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replica placement for new topics and partitions: Kafka's rack-unaware round robin
 * ({@code AdminUtils.assignReplicasToBrokersRackUnaware}). The first replica of partition {@code p} is
 * broker {@code (p + start) % n}; the others follow at a shift that grows every {@code n} partitions,
 * so leaders and followers spread evenly. Also validates manual assignments with KRaft's messages.
 * Pure functions; thread-safe.
 */
public final class ReplicaAssignment {

    private static final Random RANDOM = new Random();

    private ReplicaAssignment() {
    }

    /**
     * Assigns {@code numPartitions} partitions starting at {@code firstPartition}.
     *
     * @param brokerIds        the live brokers; sorted here
     * @param fixedStartIndex  the index of the first broker, or -1 for a random one (Kafka's default)
     */
    public static Map<Integer, List<Integer>> assign(Collection<Integer> brokerIds, int numPartitions,
                                                     int replicationFactor, int fixedStartIndex, int firstPartition) {
        if (numPartitions <= 0) {
            throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
        }
        if (replicationFactor <= 0) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0.");
        }
        if (replicationFactor > brokerIds.size()) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + replicationFactor
                    + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + brokerIds.size() + " broker(s) are registered.");
        }
        int[] brokers = brokerIds.stream().mapToInt(Integer::intValue).sorted().toArray();
        int n = brokers.length;
        int startIndex = fixedStartIndex >= 0 ? fixedStartIndex : RANDOM.nextInt(n);
        int nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : RANDOM.nextInt(n);
        int partition = Math.max(0, firstPartition);
        Map<Integer, List<Integer>> result = new TreeMap<>();
        for (int i = 0; i < numPartitions; i++) {
            if (partition > 0 && partition % n == 0) {
                nextReplicaShift++;
            }
            int firstReplicaIndex = (partition + startIndex) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(brokers[firstReplicaIndex]);
            for (int j = 0; j < replicationFactor - 1; j++) {
                int shift = 1 + (nextReplicaShift + j) % (n - 1);
                replicas.add(brokers[(firstReplicaIndex + shift) % n]);
            }
            result.put(partition, List.copyOf(replicas));
            partition++;
        }
        return result;
    }

    /**
     * The start index Kafka uses when adding partitions: the position of the first replica of partition 0
     * among the sorted live brokers, so new partitions continue the existing round robin.
     */
    public static int startIndexForNewPartitions(Collection<Integer> brokerIds, List<Integer> partition0Replicas) {
        if (partition0Replicas == null || partition0Replicas.isEmpty()) {
            return -1;
        }
        int[] brokers = brokerIds.stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int i = 0; i < brokers.length; i++) {
            if (brokers[i] >= partition0Replicas.get(0)) {
                return i;
            }
        }
        return 0;
    }

    /**
     * Checks one manually assigned partition, as KRaft's {@code validateManualPartitionAssignment}.
     *
     * @param expectedReplicationFactor the replication factor of the partitions before it, or -1 for none
     */
    public static void validateManual(List<Integer> replicas, Set<Integer> liveBrokers, int expectedReplicationFactor) {
        if (replicas.isEmpty()) {
            throw new InvalidReplicaAssignmentException("The manual partition assignment includes an empty replica list.");
        }
        Set<Integer> seen = new HashSet<>();
        for (int broker : replicas) {
            if (!seen.add(broker)) {
                throw new InvalidReplicaAssignmentException("The manual partition assignment includes the broker "
                        + broker + " more than once.");
            }
            if (!liveBrokers.contains(broker)) {
                throw new InvalidReplicaAssignmentException("The manual partition assignment includes broker "
                        + broker + ", but no such broker is registered.");
            }
        }
        if (expectedReplicationFactor >= 0 && replicas.size() != expectedReplicationFactor) {
            throw new InvalidReplicaAssignmentException("The manual partition assignment includes a partition with "
                    + replicas.size() + " replica(s), but this is not consistent with previous partitions, which have "
                    + expectedReplicationFactor + " replica(s).");
        }
    }
}
