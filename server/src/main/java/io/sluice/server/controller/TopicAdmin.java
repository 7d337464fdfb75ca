package io.sluice.server.controller;

import org.apache.kafka.common.Uuid;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Topic administration for request handlers and other broker components (the group and transaction
 * coordinators create their internal topics through it). Every method validates with Kafka's rules and
 * fails its future with the kafka-clients {@code ApiException} a client would see (TopicExistsException,
 * InvalidPartitionsException, ...), so callers map errors with {@code Errors.forException}.
 *
 * <p>When {@code timeoutMs > 0} a successful future completes only once the change is visible in the
 * broker's metadata cache (new partitions with leaders, deleted topics gone), or fails with a kafka-clients
 * {@code TimeoutException} (REQUEST_TIMED_OUT) after {@code timeoutMs}; the change itself still happens.
 * With {@code timeoutMs <= 0} it completes once the change is written, as Kafka does.
 *
 * <p>Which broker is the controller is not the caller's concern. Thread-safe; never blocks the caller.
 */
public interface TopicAdmin {

    /**
     * A topic to create. {@code numPartitions} and {@code replicationFactor} of -1 take the broker defaults
     * ({@code num.partitions}, {@code default.replication.factor}); {@code assignment} (partition to replica
     * ids, partitions 0..n-1) may be set instead of both, or be empty.
     */
    record NewTopic(String name, int numPartitions, short replicationFactor, Map<Integer, List<Integer>> assignment,
                    Map<String, String> configs) {
        public NewTopic {
            assignment = assignment == null ? Map.of() : assignment;
            configs = configs == null ? Map.of() : configs;
        }

        public static NewTopic of(String name, int numPartitions, short replicationFactor) {
            return new NewTopic(name, numPartitions, replicationFactor, Map.of(), Map.of());
        }
    }

    /** What was created (or would be, with validateOnly: topic id zero). */
    record CreatedTopic(String name, Uuid topicId, int numPartitions, short replicationFactor,
                        Map<String, String> configs) {
    }

    CompletableFuture<CreatedTopic> createTopic(NewTopic topic, boolean validateOnly, long timeoutMs);

    /** Deletes a topic by name; UnknownTopicOrPartitionException when there is none. Completes with its id. */
    CompletableFuture<Uuid> deleteTopic(String name, long timeoutMs);

    /** Deletes a topic by id; UnknownTopicIdException when there is none. Completes with its name. */
    CompletableFuture<String> deleteTopic(Uuid topicId, long timeoutMs);

    /**
     * Raises the partition count of a topic to {@code newCount}. {@code assignment} holds the replicas of each
     * new partition in order, or is null for automatic placement.
     */
    CompletableFuture<Void> createPartitions(String topic, int newCount, List<List<Integer>> assignment,
                                             boolean validateOnly, long timeoutMs);
}
