package io.sluice.server.config;

import io.sluice.server.metadata.ConfigWriter;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.TopicMetadata;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Changes dynamic topic and broker configs (AlterConfigs and IncrementalAlterConfigs): computes the new
 * override set of the entity from the current {@link MetadataImage}, validates it with Kafka's rules and
 * error codes, and persists it through the {@link ConfigWriter}.
 *
 * <p>The writer replaces an entity's whole override set, so alterations run one at a time, each starting
 * once the previous one is visible in the metadata image; two clients altering the same topic at once
 * therefore do not lose each other's keys (on this broker; Kafka's controller serializes them too).
 *
 * <p>Failures complete the future exceptionally with a kafka-clients {@code ApiException}:
 * <ul>
 *   <li>topics: INVALID_CONFIG for unknown keys, bad values and APPEND/SUBTRACT on a non-list config;
 *       UNKNOWN_TOPIC_OR_PARTITION when the topic does not exist (checked after validation, as Kafka);</li>
 *   <li>brokers: INVALID_REQUEST for another broker's id, read-only configs and bad values (Kafka's
 *       KAFKA-13609 behaviour), INVALID_CONFIG for APPEND/SUBTRACT on a non-list config.</li>
 * </ul>
 * Thread-safe.
 */
public final class DynamicConfigManager {

    private static final Logger log = LoggerFactory.getLogger(DynamicConfigManager.class);

    /** The entity id of {@code /config/brokers/<default>} in {@link ConfigWriter} and {@link MetadataImage}. */
    public static final int DEFAULT_BROKER_ENTITY = -1;

    /** One IncrementalAlterConfigs operation; {@code value} is null for DELETE. */
    public record Op(String name, AlterConfigOp.OpType type, String value) {
    }

    private final BrokerConfig broker;
    private final Supplier<MetadataImage> image;
    private final ConfigWriter writer;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    public DynamicConfigManager(BrokerConfig broker, Supplier<MetadataImage> image, ConfigWriter writer) {
        this.broker = broker;
        this.image = image;
        this.writer = writer;
    }

    public CompletableFuture<Void> incrementalAlterTopic(String topic, List<Op> ops, boolean validateOnly) {
        return serialized(() -> {
            Map<String, String> configs = new LinkedHashMap<>(currentTopicConfigs(topic));
            for (Op op : ops) {
                apply(configs, op, TopicConfigs.configKey(op.name()), true);
            }
            return alterTopic(topic, configs, validateOnly);
        });
    }

    public CompletableFuture<Void> replaceTopic(String topic, Map<String, String> configs, boolean validateOnly) {
        return serialized(() -> alterTopic(topic, new LinkedHashMap<>(configs), validateOnly));
    }

    /** @param resourceName this broker's id, or "" for the cluster-wide default */
    public CompletableFuture<Void> incrementalAlterBroker(String resourceName, List<Op> ops, boolean validateOnly) {
        return serialized(() -> {
            int entity = brokerEntity(resourceName);
            Map<String, String> configs = new LinkedHashMap<>(
                    image.get().brokerConfigOverrides().getOrDefault(entity, Map.of()));
            for (Op op : ops) {
                apply(configs, op, Optional.ofNullable(BrokerConfig.DEF.configKeys().get(op.name())), false);
            }
            return alterBroker(entity, configs, validateOnly);
        });
    }

    /** @param resourceName this broker's id, or "" for the cluster-wide default */
    public CompletableFuture<Void> replaceBroker(String resourceName, Map<String, String> configs, boolean validateOnly) {
        return serialized(() -> alterBroker(brokerEntity(resourceName), new LinkedHashMap<>(configs), validateOnly));
    }

    /**
     * Kafka accepts a broker resource named by its own id, or "" for the cluster default.
     *
     * @throws InvalidRequestException with Kafka's message otherwise
     */
    public int brokerEntity(String resourceName) {
        if (resourceName == null || resourceName.isEmpty()) {
            return DEFAULT_BROKER_ENTITY;
        }
        int id;
        try {
            id = Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Node id must be an integer, but it is: " + resourceName);
        }
        if (id != broker.brokerId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.brokerId()
                    + ", but received " + resourceName);
        }
        return id;
    }

    private CompletableFuture<Void> alterTopic(String topic, Map<String, String> configs, boolean validateOnly) {
        TopicConfigs.validate(configs);
        if (image.get().topic(topic).isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic " + topic + " does not exist");
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(null);
        }
        return writer.setTopicConfig(topic, Map.copyOf(configs))
                .thenRun(() -> log.info("Updated configs of topic {}: {}", topic, configs));
    }

    private CompletableFuture<Void> alterBroker(int entity, Map<String, String> configs, boolean validateOnly) {
        try {
            DynamicBrokerConfigs.validate(configs, entity != DEFAULT_BROKER_ENTITY);
        } catch (ConfigException | NumberFormatException e) {
            // KAFKA-13609: Kafka answers a broker config that fails validation with INVALID_REQUEST.
            throw new InvalidRequestException(e.getMessage());
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(null);
        }
        String entityName = entity == DEFAULT_BROKER_ENTITY ? "<default>" : String.valueOf(entity);
        return writer.setBrokerConfig(entity, Map.copyOf(configs))
                .thenRun(() -> log.info("Updated dynamic configs of broker {}: {}", entityName, configs));
    }

    private Map<String, String> currentTopicConfigs(String topic) {
        return image.get().topic(topic).map(TopicMetadata::configOverrides).orElse(Map.of());
    }

    /**
     * Applies one operation like Kafka: SET and DELETE on any key; APPEND and SUBTRACT only on list configs,
     * starting from the config's default when it is not set.
     */
    private static void apply(Map<String, String> configs, Op op, Optional<ConfigDef.ConfigKey> key, boolean topic) {
        switch (op.type()) {
            case SET -> configs.put(op.name(), op.value());
            case DELETE -> configs.remove(op.name());
            case APPEND, SUBTRACT -> {
                if (key.isEmpty() || key.get().type != ConfigDef.Type.LIST) {
                    // The controller's message for topics, ConfigAdminManager's for brokers.
                    throw new InvalidConfigurationException(topic
                            ? "Can't " + op.type() + " to key " + op.name() + " because its type is not LIST."
                            : "Config value " + op.type().toString().toLowerCase(java.util.Locale.ROOT)
                                    + " is not allowed for config key: " + op.name());
                }
                String current = configs.get(op.name());
                if (current == null) {
                    current = ConfigDef.convertToString(key.get().defaultValue, ConfigDef.Type.LIST);
                }
                List<String> parts = new ArrayList<>();
                if (current != null) {
                    for (String part : current.split(",")) {
                        if (!part.isEmpty()) {
                            parts.add(part);
                        }
                    }
                }
                Set<String> values = new HashSet<>(List.of(op.value().split(",")));
                if (op.type() == AlterConfigOp.OpType.APPEND) {
                    for (String value : op.value().split(",")) {
                        if (!parts.contains(value)) {
                            parts.add(value);
                        }
                    }
                } else {
                    parts.removeIf(values::contains);
                }
                configs.put(op.name(), String.join(",", parts));
            }
            default -> throw new InvalidRequestException("Unknown operation type " + op.type());
        }
    }

    /** Runs {@code work} after every earlier alteration has finished, whatever its outcome. */
    private synchronized CompletableFuture<Void> serialized(Supplier<CompletableFuture<Void>> work) {
        CompletableFuture<Void> result = tail.handle((ignored, error) -> null).thenCompose(ignored -> {
            try {
                return work.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        // A write that never completes (ZooKeeper gone) must not hold every later alteration forever.
        tail = result.copy().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS);
        return result;
    }
}
