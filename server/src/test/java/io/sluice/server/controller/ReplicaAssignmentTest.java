package io.sluice.server.controller;

import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplicaAssignmentTest {

    /** The expected layout is the one in Kafka's AdminUtils Javadoc (5 brokers, 10 partitions, start 0). */
    @Test
    void matchesKafkaRoundRobin() {
        Map<Integer, List<Integer>> a = ReplicaAssignment.assign(List.of(4, 2, 3, 1, 0), 10, 3, 0, 0);
        assertEquals(List.of(0, 1, 2), a.get(0));
        assertEquals(List.of(1, 2, 3), a.get(1));
        assertEquals(List.of(4, 0, 1), a.get(4));
        assertEquals(List.of(0, 2, 3), a.get(5));
        assertEquals(List.of(1, 3, 4), a.get(6));
        assertEquals(List.of(4, 1, 2), a.get(9));
    }

    @Test
    void spreadsLeadersEvenly() {
        Map<Integer, List<Integer>> a = ReplicaAssignment.assign(List.of(0, 1, 2), 30, 2, -1, 0);
        Map<Integer, Integer> leaders = new HashMap<>();
        a.values().forEach(r -> {
            leaders.merge(r.get(0), 1, Integer::sum);
            assertEquals(2, Set.copyOf(r).size());
        });
        assertEquals(Map.of(0, 10, 1, 10, 2, 10), leaders);
    }

    @Test
    void newPartitionsContinueFromPartitionZero() {
        int start = ReplicaAssignment.startIndexForNewPartitions(List.of(0, 1, 2), List.of(1, 2));
        Map<Integer, List<Integer>> a = ReplicaAssignment.assign(List.of(0, 1, 2), 2, 2, start, 3);
        assertEquals(Set.of(3, 4), a.keySet());
    }

    @Test
    void singleBroker() {
        assertEquals(Map.of(0, List.of(0), 1, List.of(0)), ReplicaAssignment.assign(List.of(0), 2, 1, -1, 0));
        assertThrows(InvalidReplicationFactorException.class, () -> ReplicaAssignment.assign(List.of(0), 1, 2, -1, 0));
    }

    @Test
    void validatesManualAssignments() {
        Set<Integer> live = Set.of(0, 1);
        ReplicaAssignment.validateManual(List.of(0, 1), live, 2);
        assertThrows(InvalidReplicaAssignmentException.class, () -> ReplicaAssignment.validateManual(List.of(), live, -1));
        assertThrows(InvalidReplicaAssignmentException.class, () -> ReplicaAssignment.validateManual(List.of(0, 0), live, -1));
        assertThrows(InvalidReplicaAssignmentException.class, () -> ReplicaAssignment.validateManual(List.of(5), live, -1));
        assertThrows(InvalidReplicaAssignmentException.class, () -> ReplicaAssignment.validateManual(List.of(0), live, 2));
    }
}
