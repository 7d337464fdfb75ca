package io.sluice.server.config;

import io.sluice.storage.LogConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Kafka 4.3's topic configs: names, types, defaults, validators and documentation, the broker configs
 * each one falls back to (Kafka's {@code ServerTopicConfigSynonyms}), and the resolution of a topic's
 * effective {@link LogConfig}:
 *
 * <pre>
 *   topic override (/config/topics/&lt;topic&gt;)
 *   &gt; dynamic broker config (/config/brokers/&lt;id&gt;, then /config/brokers/&lt;default&gt;), log.* names
 *   &gt; static broker config (server.properties), log.* names
 *   &gt; Kafka's default
 * </pre>
 *
 * Within one level the broker synonyms are tried in Kafka's order, so {@code log.retention.ms} beats
 * {@code log.retention.minutes}, which beats {@code log.retention.hours}. Stateless and thread-safe.
 */
public final class TopicConfigs {

    /**
     * Kafka's internal override of {@code segment.bytes} without its 1 MiB minimum, for tests that need
     * small segments. Accepted like Kafka does, never listed by DescribeConfigs.
     */
    public static final String INTERNAL_SEGMENT_BYTES = "internal.segment.bytes";

    // Kafka 4.x validates throttled-replica lists this way (ThrottledReplicaListValidator).
    private static final Pattern THROTTLED_REPLICA = Pattern.compile("([0-9]+:[0-9]+)?");

    private static final ConfigDef.Validator THROTTLED_REPLICAS_VALIDATOR = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> replicas = (List<String>) value;
            boolean wildcard = replicas.size() == 1 && replicas.get(0).trim().equals("*");
            if (!wildcard && !replicas.stream().allMatch(r -> THROTTLED_REPLICA.matcher(r.trim()).matches())) {
                throw new ConfigException(name, value, name + " must be the literal '*' or a list of replicas in the "
                        + "following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...");
            }
        }

        @Override
        public String toString() {
            return "[partitionId]:[brokerId],[partitionId]:[brokerId],...";
        }
    };

    private static final ConfigDef.Validator COMPRESSION_TYPES =
            ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer");

    private static final ConfigDef DEF = new ConfigDef()
            .define(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, LogConfig.DEFAULT_SEGMENT_BYTES,
                    Range.atLeast(1024 * 1024), Importance.MEDIUM, TopicConfig.SEGMENT_BYTES_DOC)
            .define(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, LogConfig.DEFAULT_SEGMENT_MS, Range.atLeast(1),
                    Importance.MEDIUM, TopicConfig.SEGMENT_MS_DOC)
            .define(TopicConfig.SEGMENT_JITTER_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    TopicConfig.SEGMENT_JITTER_MS_DOC)
            .define(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, LogConfig.DEFAULT_SEGMENT_INDEX_BYTES,
                    Range.atLeast(4), Importance.MEDIUM, TopicConfig.SEGMENT_INDEX_BYTES_DOC)
            .define(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(1),
                    Importance.MEDIUM, TopicConfig.FLUSH_MESSAGES_INTERVAL_DOC)
            .define(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.MEDIUM,
                    TopicConfig.FLUSH_MS_DOC)
            // Kafka gives retention.bytes no validator: any negative value means unlimited.
            .define(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, -1L, Importance.MEDIUM,
                    TopicConfig.RETENTION_BYTES_DOC)
            .define(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, LogConfig.DEFAULT_RETENTION_MS, Range.atLeast(-1),
                    Importance.MEDIUM, TopicConfig.RETENTION_MS_DOC)
            .define(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, LogConfig.DEFAULT_MAX_MESSAGE_BYTES,
                    Range.atLeast(0), Importance.MEDIUM, TopicConfig.MAX_MESSAGE_BYTES_DOC)
            .define(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, LogConfig.DEFAULT_INDEX_INTERVAL_BYTES,
                    Range.atLeast(0), Importance.MEDIUM, TopicConfig.INDEX_INTERVAL_BYTES_DOC)
            .define(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, 86_400_000L, Range.atLeast(0),
                    Importance.MEDIUM, TopicConfig.DELETE_RETENTION_MS_DOC)
            .define(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    TopicConfig.MIN_COMPACTION_LAG_MS_DOC)
            .define(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(1),
                    Importance.MEDIUM, TopicConfig.MAX_COMPACTION_LAG_MS_DOC)
            .define(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, LogConfig.DEFAULT_FILE_DELETE_DELAY_MS,
                    Range.atLeast(0), Importance.MEDIUM, TopicConfig.FILE_DELETE_DELAY_MS_DOC)
            .define(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, 0.5, Range.between(0, 1),
                    Importance.MEDIUM, TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_DOC)
            // Kafka 4.x accepts an empty cleanup.policy: neither deleted nor compacted.
            .define(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, TopicConfig.CLEANUP_POLICY_DELETE,
                    ValidList.in(true, TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE),
                    Importance.MEDIUM, TopicConfig.CLEANUP_POLICY_DOC)
            .define(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_DOC)
            .define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM,
                    TopicConfig.MIN_IN_SYNC_REPLICAS_DOC)
            .define(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING, "producer", COMPRESSION_TYPES,
                    Importance.MEDIUM, TopicConfig.COMPRESSION_TYPE_DOC)
            .define(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, Type.INT, -1, new GzipLevelValidator(),
                    Importance.MEDIUM, TopicConfig.COMPRESSION_GZIP_LEVEL_DOC)
            .define(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, Type.INT, 9, Range.between(1, 17),
                    Importance.MEDIUM, TopicConfig.COMPRESSION_LZ4_LEVEL_DOC)
            .define(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, Type.INT, 3, Range.between(-131072, 22),
                    Importance.MEDIUM, TopicConfig.COMPRESSION_ZSTD_LEVEL_DOC)
            .define(TopicConfig.PREALLOCATE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    TopicConfig.PREALLOCATE_DOC)
            .define(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, "CreateTime",
                    ValidString.in("CreateTime", "LogAppendTime"), Importance.MEDIUM,
                    TopicConfig.MESSAGE_TIMESTAMP_TYPE_DOC)
            .define(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG, Long.MAX_VALUE,
                    Range.atLeast(0), Importance.MEDIUM, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_DOC)
            .define(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG,
                    LogConfig.DEFAULT_TIMESTAMP_AFTER_MAX_MS, Range.atLeast(0), Importance.MEDIUM,
                    TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_DOC)
            .define("leader.replication.throttled.replicas", Type.LIST, "", THROTTLED_REPLICAS_VALIDATOR,
                    Importance.MEDIUM, "A list of replicas for which log replication should be throttled on the "
                            + "leader side. The list should describe a set of replicas in the form "
                            + "[PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard "
                            + "'*' can be used to throttle all replicas for this topic.")
            .define("follower.replication.throttled.replicas", Type.LIST, "", THROTTLED_REPLICAS_VALIDATOR,
                    Importance.MEDIUM, "A list of replicas for which log replication should be throttled on the "
                            + "follower side. The list should describe a set of replicas in the form "
                            + "[PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard "
                            + "'*' can be used to throttle all replicas for this topic.")
            // Tiered storage keys: listed like Kafka lists them; enabling remote storage is refused below
            // because Sluice has no remote log manager (Kafka refuses it too when the system is disabled).
            .define(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    TopicConfig.REMOTE_LOG_STORAGE_ENABLE_DOC)
            .define(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, Type.LONG, -2L, Range.atLeast(-2), Importance.MEDIUM,
                    TopicConfig.LOCAL_LOG_RETENTION_MS_DOC)
            .define(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, Type.LONG, -2L, Range.atLeast(-2),
                    Importance.MEDIUM, TopicConfig.LOCAL_LOG_RETENTION_BYTES_DOC)
            .define(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    TopicConfig.REMOTE_LOG_COPY_DISABLE_DOC)
            .define(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_DOC)
            .defineInternal(INTERNAL_SEGMENT_BYTES, Type.INT, null, null, Importance.MEDIUM,
                    "Internal: segment.bytes without its minimum, for tests.");

    /**
     * Topic config -> broker configs it falls back to, in Kafka's order of precedence
     * ({@code ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS}).
     */
    private static final Map<String, List<BrokerSynonym>> SYNONYMS = new LinkedHashMap<>();

    static {
        synonyms(TopicConfig.SEGMENT_BYTES_CONFIG, BrokerSynonym.same("log.segment.bytes"));
        synonyms(TopicConfig.SEGMENT_MS_CONFIG, BrokerSynonym.same("log.roll.ms"), BrokerSynonym.hours("log.roll.hours"));
        synonyms(TopicConfig.SEGMENT_JITTER_MS_CONFIG, BrokerSynonym.same("log.roll.jitter.ms"),
                BrokerSynonym.hours("log.roll.jitter.hours"));
        synonyms(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, BrokerSynonym.same("log.index.size.max.bytes"));
        synonyms(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, BrokerSynonym.same("log.flush.interval.messages"));
        synonyms(TopicConfig.FLUSH_MS_CONFIG, BrokerSynonym.same("log.flush.interval.ms"),
                BrokerSynonym.same("log.flush.scheduler.interval.ms"));
        synonyms(TopicConfig.RETENTION_BYTES_CONFIG, BrokerSynonym.same("log.retention.bytes"));
        synonyms(TopicConfig.RETENTION_MS_CONFIG, BrokerSynonym.same("log.retention.ms"),
                BrokerSynonym.minutes("log.retention.minutes"), BrokerSynonym.hours("log.retention.hours"));
        synonyms(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, BrokerSynonym.same("message.max.bytes"));
        synonyms(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, BrokerSynonym.same("log.index.interval.bytes"));
        synonyms(TopicConfig.DELETE_RETENTION_MS_CONFIG, BrokerSynonym.same("log.cleaner.delete.retention.ms"));
        synonyms(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, BrokerSynonym.same("log.cleaner.min.compaction.lag.ms"));
        synonyms(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, BrokerSynonym.same("log.cleaner.max.compaction.lag.ms"));
        synonyms(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, BrokerSynonym.same("log.segment.delete.delay.ms"));
        synonyms(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, BrokerSynonym.same("log.cleaner.min.cleanable.ratio"));
        synonyms(TopicConfig.CLEANUP_POLICY_CONFIG, BrokerSynonym.same("log.cleanup.policy"));
        synonyms(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, BrokerSynonym.same("unclean.leader.election.enable"));
        synonyms(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, BrokerSynonym.same("min.insync.replicas"));
        synonyms(TopicConfig.COMPRESSION_TYPE_CONFIG, BrokerSynonym.same("compression.type"));
        synonyms(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, BrokerSynonym.same("compression.gzip.level"));
        synonyms(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, BrokerSynonym.same("compression.lz4.level"));
        synonyms(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, BrokerSynonym.same("compression.zstd.level"));
        synonyms(TopicConfig.PREALLOCATE_CONFIG, BrokerSynonym.same("log.preallocate"));
        synonyms(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, BrokerSynonym.same("log.message.timestamp.type"));
        synonyms(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG,
                BrokerSynonym.same("log.message.timestamp.before.max.ms"));
        synonyms(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
                BrokerSynonym.same("log.message.timestamp.after.max.ms"));
        synonyms(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, BrokerSynonym.same("log.local.retention.ms"));
        synonyms(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, BrokerSynonym.same("log.local.retention.bytes"));
    }

    private TopicConfigs() {
    }

    /**
     * A broker config a topic config falls back to, and the factor that turns its unit into the topic
     * config's (hours and minutes into milliseconds).
     */
    public record BrokerSynonym(String name, long multiplier) {

        static BrokerSynonym same(String name) {
            return new BrokerSynonym(name, 1);
        }

        static BrokerSynonym minutes(String name) {
            return new BrokerSynonym(name, 60_000L);
        }

        static BrokerSynonym hours(String name) {
            return new BrokerSynonym(name, 3_600_000L);
        }

        /**
         * The broker value in the topic config's unit (Kafka's ConfigSynonym converters). Any negative
         * {@code log.retention.*} means unlimited, -1, as Kafka's {@code logRetentionTimeMillis}.
         */
        public String toTopicValue(String brokerValue) {
            if (brokerValue == null) {
                return null;
            }
            if (name.startsWith("log.retention.") && !name.equals("log.retention.bytes")) {
                long value = Long.parseLong(brokerValue.trim()) * multiplier;
                return String.valueOf(value < 0 ? -1 : value);
            }
            if (multiplier == 1) {
                return brokerValue;
            }
            return String.valueOf(Long.parseLong(brokerValue.trim()) * multiplier);
        }
    }

    private static void synonyms(String topicConfig, BrokerSynonym... brokerConfigs) {
        SYNONYMS.put(topicConfig, List.of(brokerConfigs));
    }

    /** A copy of the topic config definitions, internal ones included. */
    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }

    /** The topic configs DescribeConfigs lists, in Kafka's order (internal ones left out). */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (ConfigDef.ConfigKey key : DEF.configKeys().values()) {
            if (!key.internalConfig) {
                names.add(key.name);
            }
        }
        return names;
    }

    public static Optional<ConfigDef.ConfigKey> configKey(String name) {
        return Optional.ofNullable(DEF.configKeys().get(name));
    }

    /** The broker configs {@code topicConfig} falls back to, in precedence order; empty when it has none. */
    public static List<BrokerSynonym> brokerSynonyms(String topicConfig) {
        return SYNONYMS.getOrDefault(topicConfig, List.of());
    }

    /** Every broker config that is the synonym of some topic config. */
    public static Set<String> brokerSynonymNames() {
        Set<String> names = new TreeSet<>();
        SYNONYMS.values().forEach(list -> list.forEach(s -> names.add(s.name())));
        return names;
    }

    /**
     * Validates topic config overrides as CreateTopics and AlterConfigs see them: unknown names, bad values
     * and conflicting values throw {@link InvalidConfigurationException} (INVALID_CONFIG) naming the key,
     * with Kafka's messages.
     */
    public static void validate(Map<String, String> configs) {
        for (String name : configs.keySet()) {
            if (!DEF.configKeys().containsKey(name)) {
                throw new InvalidConfigurationException("Unknown topic config name: " + name);
            }
        }
        Map<String, Object> parsed = parse(configs);
        long minCompactionLag = (Long) parsed.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
        long maxCompactionLag = (Long) parsed.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
        if (minCompactionLag > maxCompactionLag) {
            throw new InvalidConfigurationException("conflict topic config setting "
                    + TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG + " (" + minCompactionLag + ") > "
                    + TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG + " (" + maxCompactionLag + ")");
        }
        if (Boolean.TRUE.equals(parsed.get(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG))) {
            // Kafka's message when remote.log.storage.system.enable is false; Sluice has no tiered storage.
            throw new InvalidConfigurationException("Tiered Storage functionality is disabled in the broker. "
                    + "Topic cannot be configured with remote log storage. (" + TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG
                    + ")");
        }
    }

    /**
     * Every topic config of one topic with its effective value (typed as {@link ConfigDef#parse} types it)
     * and where the value came from, in {@link #names()} order. What DescribeConfigs shows.
     *
     * @param dynamicBrokerConfigs the dynamic broker configs that apply to this broker: its own
     *                             {@code /config/brokers/<id>} over {@code /config/brokers/<default>}
     *                             (see {@link #dynamicBrokerConfigs})
     */
    public static Map<String, Object> resolve(BrokerConfig broker, Map<String, String> dynamicBrokerConfigs,
                                              Map<String, String> topicOverrides) {
        Map<String, String> raw = new HashMap<>();
        for (String name : DEF.names()) {
            String value = resolveRaw(name, broker, dynamicBrokerConfigs, topicOverrides);
            if (value != null) {
                raw.put(name, value);
            }
        }
        return parse(raw);
    }

    /**
     * The effective {@link LogConfig} of a topic. An invalid topic override throws
     * {@link InvalidConfigurationException} naming the key; an invalid dynamic broker value is skipped in
     * favour of the next level down (it was validated when written, so only a hand-edited ZooKeeper node
     * gets there).
     */
    public static LogConfig logConfig(BrokerConfig broker, Map<String, String> dynamicBrokerConfigs,
                                      Map<String, String> topicOverrides) {
        Map<String, Object> values = resolve(broker, dynamicBrokerConfigs, topicOverrides);
        @SuppressWarnings("unchecked")
        List<String> cleanupPolicy = (List<String>) values.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        Integer internalSegmentBytes = (Integer) values.get(INTERNAL_SEGMENT_BYTES);
        // Kafka does not bound internal.segment.bytes; the storage log needs room for one batch header.
        int segmentBytes = internalSegmentBytes != null ? Math.max(14, internalSegmentBytes)
                : (Integer) values.get(TopicConfig.SEGMENT_BYTES_CONFIG);
        // Kafka accepts segment.index.bytes down to 4 (then every index is full at once); the storage log
        // needs room for one time index entry.
        int segmentIndexBytes = Math.max(12, (Integer) values.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG));
        TimestampType timestampType = TimestampType.forName(
                (String) values.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG));
        return new LogConfig(
                segmentBytes,
                (Long) values.get(TopicConfig.SEGMENT_MS_CONFIG),
                segmentIndexBytes,
                (Integer) values.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
                (Integer) values.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                timestampType,
                (Long) values.get(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
                (Long) values.get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
                (Long) values.get(TopicConfig.RETENTION_MS_CONFIG),
                (Long) values.get(TopicConfig.RETENTION_BYTES_CONFIG),
                cleanupPolicy.contains(TopicConfig.CLEANUP_POLICY_COMPACT),
                cleanupPolicy.contains(TopicConfig.CLEANUP_POLICY_DELETE),
                (Long) values.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG),
                (Long) values.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG),
                (Long) values.get(TopicConfig.FLUSH_MS_CONFIG),
                new LogConfig.Compaction(
                        (Double) values.get(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG),
                        (Long) values.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG),
                        (Long) values.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG),
                        (Long) values.get(TopicConfig.DELETE_RETENTION_MS_CONFIG)),
                (Integer) values.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
    }

    /**
     * The dynamic broker configs that apply to broker {@code brokerId}: its own overrides on top of the
     * cluster default (key -1 of {@code MetadataImage.brokerConfigOverrides()}), as Kafka layers them.
     */
    public static Map<String, String> dynamicBrokerConfigs(Map<Integer, Map<String, String>> brokerConfigOverrides,
                                                           int brokerId) {
        Map<String, String> merged = new HashMap<>(brokerConfigOverrides.getOrDefault(-1, Map.of()));
        merged.putAll(brokerConfigOverrides.getOrDefault(brokerId, Map.of()));
        return Collections.unmodifiableMap(merged);
    }

    /**
     * Checks that every topic default set in {@code server.properties} ({@code log.segment.bytes},
     * {@code log.roll.hours}, ...) is a valid value of its topic config, so that a bad one stops startup.
     *
     * @throws ConfigException naming the broker config
     */
    static void validateBrokerDefaults(BrokerConfig broker) {
        for (String name : DEF.names()) {
            ConfigDef.ConfigKey key = DEF.configKeys().get(name);
            for (BrokerSynonym synonym : brokerSynonyms(name)) {
                String value = broker.staticValue(synonym.name());
                if (value != null) {
                    try {
                        ensureValid(key, synonym, value);
                    } catch (ConfigException | NumberFormatException e) {
                        throw new ConfigException(synonym.name(), value, e.getMessage());
                    }
                }
            }
        }
    }

    /** The raw value of one topic config from the first level that sets it, or null for Kafka's default. */
    private static String resolveRaw(String name, BrokerConfig broker, Map<String, String> dynamicBrokerConfigs,
                                     Map<String, String> topicOverrides) {
        if (topicOverrides.containsKey(name)) {
            return topicOverrides.get(name);
        }
        ConfigDef.ConfigKey key = DEF.configKeys().get(name);
        for (BrokerSynonym synonym : brokerSynonyms(name)) {
            String value = dynamicBrokerConfigs.get(synonym.name());
            if (value != null && isValid(key, synonym, value)) {
                return synonym.toTopicValue(value);
            }
        }
        for (BrokerSynonym synonym : brokerSynonyms(name)) {
            String value = broker.staticValue(synonym.name());
            if (value != null) {
                return synonym.toTopicValue(value);
            }
        }
        return null;
    }

    private static boolean isValid(ConfigDef.ConfigKey key, BrokerSynonym synonym, String value) {
        try {
            ensureValid(key, synonym, value);
            return true;
        } catch (ConfigException | NumberFormatException e) {
            return false;
        }
    }

    private static void ensureValid(ConfigDef.ConfigKey key, BrokerSynonym synonym, String value) {
        Object parsed = ConfigDef.parseType(key.name, synonym.toTopicValue(value), key.type);
        if (key.validator != null) {
            key.validator.ensureValid(key.name, parsed);
        }
    }

    private static Map<String, Object> parse(Map<String, String> configs) {
        try {
            return DEF.parse(configs);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /** Kafka's {@code compression.gzip.level} validator: 1 to 9, or -1 for the codec's default. */
    private static final class GzipLevelValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            int level = (Integer) value;
            if (level != -1 && (level < 1 || level > 9)) {
                throw new ConfigException(name, value, "Value must be between 1 and 9 or equal to -1");
            }
        }

        @Override
        public String toString() {
            return "[1,...,9] or -1";
        }
    }
}
