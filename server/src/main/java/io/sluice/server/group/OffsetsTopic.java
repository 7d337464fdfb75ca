package io.sluice.server.group;

import io.sluice.coordinator.group.CoordinatorLog;
import io.sluice.coordinator.group.CoordinatorRecord;
import io.sluice.coordinator.group.GroupConfig;
import io.sluice.coordinator.group.GroupCoordinator;
import io.sluice.server.controller.TopicAdmin;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.server.partition.Partition;
import io.sluice.server.partition.ProducePartitionResult;
import io.sluice.server.partition.ReplicaManager;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The internal topic {@code __consumer_offsets} as the group coordinator sees it: which partitions this broker
 * leads (the coordinator loads each when elected and unloads it when resigning), which topics were deleted (the
 * coordinator drops their committed offsets, as Kafka's {@code onPartitionsDeleted}), appends of the coordinator's
 * records (acks=all, as Kafka), and creation of the topic on the first FindCoordinator with
 * {@code offsets.topic.num.partitions}, {@code offsets.topic.replication.factor} (not capped: with fewer live
 * brokers the creation fails and FindCoordinator keeps answering COORDINATOR_NOT_AVAILABLE, as Kafka),
 * {@code cleanup.policy=compact} and {@code offsets.topic.segment.bytes}.
 *
 * <p>Thread-safe: {@link #onImage} runs on the metadata thread, appends on any thread.
 */
public final class OffsetsTopic implements MetadataCache.Listener, CoordinatorLog {

    private static final Logger log = LoggerFactory.getLogger(OffsetsTopic.class);
    private static final String NAME = Topic.GROUP_METADATA_TOPIC_NAME;
    private static final long APPEND_TIMEOUT_MS = 5000;

    private final int brokerId;
    private final ReplicaManager replicaManager;
    private final TopicAdmin topicAdmin;
    private final MetadataCache metadata;
    private final GroupConfig config;
    private final Set<Integer> led = new HashSet<>();
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile GroupCoordinator coordinator;

    public OffsetsTopic(int brokerId, ReplicaManager replicaManager, TopicAdmin topicAdmin, MetadataCache metadata,
                        GroupConfig config) {
        this.brokerId = brokerId;
        this.replicaManager = replicaManager;
        this.topicAdmin = topicAdmin;
        this.metadata = metadata;
        this.config = config;
    }

    /** Set once, before this listener is registered. */
    public void setCoordinator(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** Partitions of the topic: its actual count once it exists, else {@code offsets.topic.num.partitions}. */
    public int numPartitions() {
        return metadata.image().topic(NAME).map(t -> t.partitions().size()).filter(n -> n > 0)
                .orElse(config.offsetsTopicNumPartitions());
    }

    @Override
    public synchronized void onImage(MetadataImage previous, MetadataImage current) {
        coordinator.onTopicsDeleted(deletedTopics(previous, current));
        Optional<TopicMetadata> topic = current.topic(NAME);
        Set<Integer> nowLed = new HashSet<>();
        topic.ifPresent(t -> {
            for (PartitionState state : t.partitions().values()) {
                if (state.leader() == brokerId && !t.markedForDeletion()) {
                    nowLed.add(state.partition());
                }
            }
        });
        for (Integer partition : Set.copyOf(led)) {
            if (!nowLed.contains(partition)) {
                led.remove(partition);
                coordinator.onResignation(partition);
            }
        }
        for (Integer partition : nowLed) {
            if (led.contains(partition)) {
                continue;
            }
            Optional<Partition> local = replicaManager.partition(new TopicPartition(NAME, partition));
            if (local.isPresent() && local.get().isLeader()) {
                led.add(partition);
                coordinator.onElection(partition, local.get().log());
            }
        }
    }

    /** Topics of {@code previous} that are gone from {@code current}, or were deleted and created again (new id). */
    static Set<String> deletedTopics(MetadataImage previous, MetadataImage current) {
        Set<String> deleted = new HashSet<>();
        previous.topics().forEach((name, topic) -> {
            TopicMetadata now = current.topics().get(name);
            if (now == null || !now.topicId().equals(topic.topicId())) {
                deleted.add(name);
            }
        });
        return deleted;
    }

    /** Whether the topic exists; if not, starts creating it (once at a time) and answers false. */
    public boolean ensureExists() {
        MetadataImage image = metadata.image();
        if (image.topic(NAME).isPresent()) {
            return true;
        }
        if (creating.compareAndSet(false, true)) {
            TopicAdmin.NewTopic topic = new TopicAdmin.NewTopic(NAME, config.offsetsTopicNumPartitions(),
                    config.offsetsTopicReplicationFactor(), Map.of(),
                    Map.of("cleanup.policy", "compact", "compression.type", "producer",
                            "segment.bytes", String.valueOf(config.offsetsTopicSegmentBytes())));
            topicAdmin.createTopic(topic, false, 0).whenComplete((created, error) -> {
                creating.set(false);
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause != null && !(cause instanceof TopicExistsException)) {
                    log.warn("Cannot create {} with {} partitions and replication factor {}: {}", NAME,
                            config.offsetsTopicNumPartitions(), config.offsetsTopicReplicationFactor(), cause.toString());
                } else if (cause == null) {
                    log.info("Created {} with {} partitions", NAME, config.offsetsTopicNumPartitions());
                }
            });
        }
        return false;
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        long now = Time.SYSTEM.milliseconds();
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            simple[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
        }
        TopicPartition tp = new TopicPartition(NAME, partition);
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, simple);
        return replicaManager.appendRecords((short) -1, APPEND_TIMEOUT_MS, Map.of(tp, batch), true)
                .thenApply(results -> {
                    ProducePartitionResult result = results.get(tp);
                    if (result != null && result.error() != null) {
                        throw new CompletionException(result.error());
                    }
                    return null;
                });
    }
}
