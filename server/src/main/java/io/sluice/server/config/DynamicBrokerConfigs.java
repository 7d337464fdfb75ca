package io.sluice.server.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kafka's rules for dynamic broker configs (KIP-226), as far as Sluice applies them: which broker configs
 * may be changed at runtime through AlterConfigs / IncrementalAlterConfigs, which only per broker, how
 * broker configs are synonyms of each other, and the validation of a new set of dynamic configs.
 *
 * <p>Sluice applies at runtime exactly the topic defaults (Kafka's {@code DynamicLogConfig}
 * reconfigurable configs): they reach every log through {@link TopicConfigs#logConfig}. Configs Kafka
 * can also reconfigure but Sluice cannot yet (thread pools, listeners, SSL, quotas) are read-only here,
 * and a request to change them fails the way Kafka fails a read-only config. Names Sluice does not know
 * are accepted and stored, as Kafka accepts them (custom configs for plugins). Stateless.
 */
public final class DynamicBrokerConfigs {

    /** Kafka 4.3's {@code DynamicBrokerConfig.DynamicLogConfig.RECONFIGURABLE_CONFIGS}, minus cordoned.log.dirs. */
    private static final Set<String> DYNAMIC = Set.of(
            "compression.gzip.level", "compression.lz4.level", "compression.type", "compression.zstd.level",
            "log.cleaner.delete.retention.ms", "log.cleaner.max.compaction.lag.ms", "log.cleaner.min.cleanable.ratio",
            "log.cleaner.min.compaction.lag.ms", "log.cleanup.policy", "log.flush.interval.messages",
            "log.flush.interval.ms", "log.index.interval.bytes", "log.index.size.max.bytes",
            "log.local.retention.bytes", "log.local.retention.ms", "log.message.timestamp.after.max.ms",
            "log.message.timestamp.before.max.ms", "log.message.timestamp.type", "log.preallocate",
            "log.retention.bytes", "log.retention.ms", "log.roll.jitter.ms", "log.roll.ms", "log.segment.bytes",
            "log.segment.delete.delay.ms", "message.max.bytes", "min.insync.replicas",
            "unclean.leader.election.enable");

    /**
     * Kafka's per-broker-only dynamic configs that Sluice defines (Kafka's {@code PER_BROKER_CONFIGS}: listeners,
     * SSL and SASL settings); none of them is dynamic in Sluice yet, so this only shapes the error message.
     */
    private static final Set<String> PER_BROKER = Set.of(
            BrokerConfig.LISTENERS, BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP);

    private DynamicBrokerConfigs() {
    }

    /** True when {@code name} can be changed at runtime: DescribeConfigs shows the others as read-only. */
    public static boolean isDynamic(String name) {
        return DYNAMIC.contains(name);
    }

    /** True when Sluice defines {@code name} as a broker config (static or dynamic). */
    public static boolean isKnown(String name) {
        return BrokerConfig.DEF.configKeys().containsKey(name);
    }

    /**
     * The broker configs that are synonyms of {@code name}, in precedence order, {@code name} included
     * (Kafka's {@code DynamicBrokerConfig.brokerConfigSynonyms}).
     */
    public static List<String> synonyms(String name) {
        return switch (name) {
            case "log.roll.ms", "log.roll.hours" -> List.of("log.roll.ms", "log.roll.hours");
            case "log.roll.jitter.ms", "log.roll.jitter.hours" -> List.of("log.roll.jitter.ms", "log.roll.jitter.hours");
            case "log.flush.interval.ms" -> List.of("log.flush.interval.ms", "log.flush.scheduler.interval.ms");
            case "log.retention.ms", "log.retention.minutes", "log.retention.hours" ->
                    List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours");
            default -> List.of(name);
        };
    }

    /**
     * Validates the complete set of dynamic configs of one entity ({@code /config/brokers/<id>} when
     * {@code perBroker}, else {@code /config/brokers/<default>}), as Kafka's
     * {@code DynamicBrokerConfig.validateConfigs}: read-only configs, per-broker configs at the cluster
     * level, and values that do not parse or fail their validator.
     *
     * @throws ConfigException with Kafka's message; Kafka answers it with INVALID_REQUEST (KAFKA-13609)
     */
    public static void validate(Map<String, String> configs, boolean perBroker) {
        Set<String> readOnly = new TreeSet<>();
        Set<String> perBrokerOnly = new TreeSet<>();
        for (String name : configs.keySet()) {
            if (isKnown(name) && !isDynamic(name)) {
                readOnly.add(name);
            }
            if (PER_BROKER.contains(name)) {
                perBrokerOnly.add(name);
            }
        }
        if (!readOnly.isEmpty()) {
            throw new ConfigException("Cannot update these configs dynamically: " + readOnly);
        }
        if (!perBroker && !perBrokerOnly.isEmpty()) {
            throw new ConfigException("Cannot update these configs at default cluster level, broker id must be "
                    + "specified: " + perBrokerOnly);
        }
        for (Map.Entry<String, String> entry : configs.entrySet()) {
            ConfigDef.ConfigKey key = BrokerConfig.DEF.configKeys().get(entry.getKey());
            if (key == null) {
                continue;
            }
            Object parsed = ConfigDef.parseType(key.name, entry.getValue(), key.type);
            if (key.validator != null) {
                key.validator.ensureValid(key.name, parsed);
            }
        }
        // A dynamic topic default must also be a valid value of the topic config it stands for.
        for (String topicConfig : TopicConfigs.names()) {
            ConfigDef.ConfigKey key = TopicConfigs.configKey(topicConfig).orElseThrow();
            for (TopicConfigs.BrokerSynonym synonym : TopicConfigs.brokerSynonyms(topicConfig)) {
                String value = configs.get(synonym.name());
                if (value != null) {
                    try {
                        Object parsed = ConfigDef.parseType(key.name, synonym.toTopicValue(value), key.type);
                        if (key.validator != null) {
                            key.validator.ensureValid(key.name, parsed);
                        }
                    } catch (ConfigException | NumberFormatException e) {
                        throw new ConfigException(synonym.name(), value, e.getMessage());
                    }
                }
            }
        }
    }
}
