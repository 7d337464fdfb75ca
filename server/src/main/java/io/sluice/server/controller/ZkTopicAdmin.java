package io.sluice.server.controller;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.TopicConfigs;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.server.zk.ZkMetadataCache;
import io.sluice.server.zk.ZkData;
import io.sluice.server.zk.ZkData.TopicAssignment;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * {@link TopicAdmin} over ZooKeeper, the way Kafka's ZooKeeper-mode brokers did it ({@code AdminZkClient}):
 * any broker validates against its metadata image and writes the topic znode ({@code /brokers/topics/<t>}
 * with its assignment, plus {@code /config/topics/<t>}), or the deletion marker
 * ({@code /admin/delete_topics/<t>}); the active {@link Controller} sees the change and writes partition
 * states or removes the topic, fenced by its epoch. So a non-controller broker needs no forwarding.
 *
 * <p>ZooKeeper writes run on the given executor, never on the caller's thread. Thread-safe.
 */
public final class ZkTopicAdmin implements TopicAdmin {

    private static final int MAX_RETRIES = 5;

    private final CuratorFramework zk;
    private final ZkMetadataCache cache;
    private final BrokerConfig config;
    private final Executor executor;

    public ZkTopicAdmin(CuratorFramework zk, ZkMetadataCache cache, BrokerConfig config, Executor executor) {
        this.zk = zk;
        this.cache = cache;
        this.config = config;
        this.executor = executor;
    }

    // ---- create

    @Override
    public CompletableFuture<CreatedTopic> createTopic(NewTopic topic, boolean validateOnly, long timeoutMs) {
        return CompletableFuture.supplyAsync(() -> {
            MetadataImage image = cache.image();
            Map<Integer, List<Integer>> assignment = validateCreate(topic, image);
            short replicationFactor = (short) assignment.get(0).size();
            if (validateOnly) {
                return new CreatedTopic(topic.name(), Uuid.ZERO_UUID, assignment.size(), replicationFactor,
                        topic.configs());
            }
            Uuid topicId = Uuid.randomUuid();
            writeNewTopic(topic.name(), topicId, assignment, topic.configs());
            return new CreatedTopic(topic.name(), topicId, assignment.size(), replicationFactor, topic.configs());
        }, executor).thenCompose(created -> created.topicId().equals(Uuid.ZERO_UUID) ? CompletableFuture.completedFuture(created)
                : awaitMetadata(image -> hasLeaders(image, created.name(), created.topicId(), created.numPartitions()),
                timeoutMs).thenApply(image -> created));
    }

    /** Resolves defaults and checks a new topic; returns its assignment, partitions 0..n-1. */
    private Map<Integer, List<Integer>> validateCreate(NewTopic topic, MetadataImage image) {
        String name = topic.name();
        Topic.validate(name);
        Optional<TopicMetadata> existing = image.topic(name);
        if (existing.isPresent()) {
            throw new TopicExistsException(existing.get().markedForDeletion()
                    ? "Topic '" + name + "' is marked for deletion."
                    : "Topic '" + name + "' already exists.");
        }
        if (Topic.hasCollisionChars(name)) {
            for (String other : image.topics().keySet()) {
                if (Topic.hasCollision(name, other)) {
                    throw new InvalidTopicException("Topic '" + name + "' collides with existing topic: " + other);
                }
            }
        }
        Set<Integer> live = image.brokers().keySet();
        Map<Integer, List<Integer>> assignment;
        if (!topic.assignment().isEmpty()) {
            // KRaft's ReplicationControlManager.createTopic checks, in this order
            if (topic.replicationFactor() != -1) {
                throw new InvalidReplicationFactorException(
                        "A manual partition assignment was specified, but replication factor was not set to -1.");
            }
            if (topic.numPartitions() != -1) {
                throw new InvalidPartitionsException(
                        "A manual partition assignment was specified, but numPartitions was not set to -1.");
            }
            assignment = new TreeMap<>(topic.assignment());
            int expected = 0;
            int replicationFactor = -1;
            for (Map.Entry<Integer, List<Integer>> e : assignment.entrySet()) {
                if (e.getKey() != expected++) {
                    throw new InvalidReplicaAssignmentException("partitions should be a consecutive 0-based integer sequence");
                }
                ReplicaAssignment.validateManual(e.getValue(), live, replicationFactor);
                replicationFactor = e.getValue().size();
            }
        } else if (topic.replicationFactor() < -1 || topic.replicationFactor() == 0) {
            throw new InvalidReplicationFactorException(
                    "Replication factor must be larger than 0, or -1 to use the default value.");
        } else if (topic.numPartitions() < -1 || topic.numPartitions() == 0) {
            throw new InvalidPartitionsException("Number of partitions was set to an invalid non-positive value.");
        } else {
            int numPartitions = topic.numPartitions() == -1 ? config.getInt(BrokerConfig.NUM_PARTITIONS)
                    : topic.numPartitions();
            int replicationFactor = topic.replicationFactor() == -1
                    ? config.getShort(BrokerConfig.DEFAULT_REPLICATION_FACTOR) : topic.replicationFactor();
            assignment = ReplicaAssignment.assign(live, numPartitions, replicationFactor, -1, 0);
        }
        for (Map.Entry<String, String> e : topic.configs().entrySet()) {
            if (e.getValue() == null) {
                throw new InvalidConfigurationException("Null value not supported for topic configs: " + e.getKey());
            }
        }
        TopicConfigs.validate(topic.configs());
        return assignment;
    }

    private void writeNewTopic(String name, Uuid topicId, Map<Integer, List<Integer>> assignment,
                               Map<String, String> configs) {
        try {
            List<CuratorOp> ops = new ArrayList<>();
            String configPath = ZkData.topicConfigPath(name);
            byte[] configData = ZkData.encodeConfig(configs);
            // A config node left from an earlier topic of this name is overwritten, as AdminZkClient does.
            ops.add(zk.checkExists().forPath(configPath) == null
                    ? zk.transactionOp().create().forPath(configPath, configData)
                    : zk.transactionOp().setData().forPath(configPath, configData));
            ops.add(zk.transactionOp().create().forPath(ZkData.topicPath(name),
                    ZkData.encodeTopic(new TopicAssignment(topicId, assignment))));
            zk.transaction().forOperations(ops);
        } catch (KeeperException.NodeExistsException e) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    // ---- delete

    @Override
    public CompletableFuture<Uuid> deleteTopic(String name, long timeoutMs) {
        return CompletableFuture.supplyAsync(() -> {
            TopicMetadata topic = cache.image().topic(name).orElseThrow(() ->
                    new UnknownTopicOrPartitionException("This server does not host this topic-partition."));
            markForDeletion(name);
            return topic.topicId();
        }, executor).thenCompose(id -> awaitMetadata(image -> image.topic(id).isEmpty(), timeoutMs)
                .thenApply(image -> id));
    }

    @Override
    public CompletableFuture<String> deleteTopic(Uuid topicId, long timeoutMs) {
        return CompletableFuture.supplyAsync(() -> {
            TopicMetadata topic = cache.image().topic(topicId).orElseThrow(() ->
                    new UnknownTopicIdException("This server does not host this topic ID."));
            markForDeletion(topic.name());
            return topic.name();
        }, executor).thenCompose(name -> awaitMetadata(image -> image.topic(topicId).isEmpty(), timeoutMs)
                .thenApply(image -> name));
    }

    private void markForDeletion(String name) {
        try {
            zk.create().creatingParentsIfNeeded().forPath(ZkData.deleteTopicPath(name));
        } catch (KeeperException.NodeExistsException alreadyMarked) {
            // a second delete of a topic being deleted succeeds, as in Kafka
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    // ---- add partitions

    @Override
    public CompletableFuture<Void> createPartitions(String topic, int newCount, List<List<Integer>> assignment,
                                                    boolean validateOnly, long timeoutMs) {
        return CompletableFuture.supplyAsync(() -> {
            for (int attempt = 0; ; attempt++) {
                MetadataImage image = cache.image();
                TopicMetadata current = image.topic(topic).orElseThrow(() -> new UnknownTopicOrPartitionException(
                        "This server does not host this topic-partition."));
                if (current.markedForDeletion()) {
                    throw new InvalidTopicException("The topic is queued for deletion.");
                }
                try {
                    Stat stat = new Stat();
                    TopicAssignment stored = ZkData.decodeTopic(zk.getData().storingStatIn(stat)
                            .forPath(ZkData.topicPath(topic)));
                    Map<Integer, List<Integer>> added = validatePartitions(topic, stored, newCount, assignment, image);
                    if (validateOnly) {
                        return stored.topicId();
                    }
                    Map<Integer, List<Integer>> all = new TreeMap<>(stored.partitions());
                    all.putAll(added);
                    zk.setData().withVersion(stat.getVersion()).forPath(ZkData.topicPath(topic),
                            ZkData.encodeTopic(new TopicAssignment(stored.topicId(), all)));
                    return stored.topicId();
                } catch (KeeperException.BadVersionException raced) {
                    if (attempt >= MAX_RETRIES) {
                        throw new CompletionException(raced);
                    }
                } catch (KeeperException.NoNodeException gone) {
                    throw new UnknownTopicOrPartitionException("This server does not host this topic-partition.");
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }
        }, executor).thenCompose(topicId -> validateOnly ? CompletableFuture.completedFuture(null)
                : awaitMetadata(image -> hasLeaders(image, topic, topicId, newCount), timeoutMs)
                .thenApply(image -> (Void) null));
    }

    /** KRaft's checks for CreatePartitions; returns the assignment of the new partitions. */
    private Map<Integer, List<Integer>> validatePartitions(String topic, TopicAssignment stored, int newCount,
                                                           List<List<Integer>> assignment, MetadataImage image) {
        int currentCount = stored.partitions().size();
        if (newCount < currentCount) {
            throw new InvalidPartitionsException("The topic " + topic + " currently has " + currentCount
                    + " partition(s); " + newCount + " would not be an increase.");
        }
        if (newCount == currentCount) {
            throw new InvalidPartitionsException("Topic already has " + currentCount + " partition(s).");
        }
        int additional = newCount - currentCount;
        List<Integer> partition0 = stored.partitions().getOrDefault(0, List.of());
        int replicationFactor = partition0.size();
        Set<Integer> live = new HashSet<>(image.brokers().keySet());
        Map<Integer, List<Integer>> added = new TreeMap<>();
        if (assignment != null) {
            if (assignment.size() != additional) {
                throw new InvalidReplicaAssignmentException("Attempted to add " + additional
                        + " additional partition(s), but only " + assignment.size() + " assignment(s) were specified.");
            }
            for (int i = 0; i < additional; i++) {
                ReplicaAssignment.validateManual(assignment.get(i), live, replicationFactor);
                added.put(currentCount + i, List.copyOf(assignment.get(i)));
            }
            return added;
        }
        int start = ReplicaAssignment.startIndexForNewPartitions(live, partition0);
        return ReplicaAssignment.assign(live, additional, replicationFactor, start, currentCount);
    }

    // ---- waiting for the metadata cache

    private static boolean hasLeaders(MetadataImage image, String name, Uuid topicId, int numPartitions) {
        TopicMetadata topic = image.topics().get(name);
        if (topic == null || !topic.topicId().equals(topicId) || topic.partitions().size() < numPartitions) {
            return false;
        }
        for (PartitionState p : topic.partitions().values()) {
            if (p.leader() < 0) {
                return false;
            }
        }
        return true;
    }

    private CompletableFuture<MetadataImage> awaitMetadata(Predicate<MetadataImage> condition, long timeoutMs) {
        if (timeoutMs <= 0) {
            return CompletableFuture.completedFuture(cache.image());
        }
        return cache.await(condition, timeoutMs).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof TimeoutException
                    ? new org.apache.kafka.common.errors.TimeoutException(cause.getMessage())
                    : cause);
        });
    }
}
