package io.sluice.coordinator.group;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.util.Map;

/**
 * The group coordinator's broker configs, with Kafka's names and defaults.
 *
 * <p>{@code offsets.topic.replication.factor} defaults to 3 as in Kafka, and as in Kafka the offsets topic is
 * not created while fewer brokers are alive (FindCoordinator answers COORDINATOR_NOT_AVAILABLE): a single
 * node sets it to 1, as Kafka's own {@code config/server.properties} does.
 */
public record GroupConfig(int offsetsTopicNumPartitions, short offsetsTopicReplicationFactor,
                          int offsetsTopicSegmentBytes, int groupInitialRebalanceDelayMs,
                          int groupMinSessionTimeoutMs, int groupMaxSessionTimeoutMs, int groupMaxSize,
                          int offsetMetadataMaxBytes, long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs,
                          int newMemberJoinTimeoutMs) {

    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";

    /** Kafka's {@code classicGroupNewMemberJoinTimeoutMs}: how long a new member may wait in a join. */
    public static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

    /** Adds these configs to a broker's {@link ConfigDef}. */
    public static ConfigDef define(ConfigDef def) {
        return def
                .define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, 50, Range.atLeast(1), Importance.HIGH,
                        "The number of partitions for the offset commit topic (should not change after deployment).")
                .define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.atLeast(1), Importance.HIGH,
                        "The replication factor for the offsets topic. Internal topic creation fails until the "
                                + "cluster size meets this replication factor requirement.")
                .define(OFFSETS_TOPIC_SEGMENT_BYTES, Type.INT, 100 * 1024 * 1024, Range.atLeast(1), Importance.HIGH,
                        "The offsets topic segment bytes.")
                .define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3000, Range.atLeast(0), Importance.MEDIUM,
                        "How long the coordinator waits for more consumers to join a new group before the first rebalance.")
                .define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6000, Range.atLeast(1), Importance.MEDIUM,
                        "The minimum allowed session timeout for registered consumers.")
                .define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, 1800000, Range.atLeast(1), Importance.MEDIUM,
                        "The maximum allowed session timeout for registered consumers.")
                .define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
                        "The maximum number of consumers that a single consumer group can accommodate.")
                .define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, Range.atLeast(0), Importance.HIGH,
                        "The maximum size for a metadata entry associated with an offset commit.")
                .define(OFFSETS_RETENTION_MINUTES, Type.INT, 7 * 24 * 60, Range.atLeast(1), Importance.HIGH,
                        "Committed offsets of a group that became empty are kept this long.")
                .define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 600000L, Range.atLeast(1), Importance.HIGH,
                        "Frequency at which to check for stale offsets.");
    }

    private static final ConfigDef DEF = define(new ConfigDef());

    /** Parses the group configs out of a broker's properties; other keys are ignored. */
    public static GroupConfig from(Map<?, ?> props) {
        AbstractConfig c = new AbstractConfig(DEF, props, false);
        return new GroupConfig(c.getInt(OFFSETS_TOPIC_NUM_PARTITIONS), c.getShort(OFFSETS_TOPIC_REPLICATION_FACTOR),
                c.getInt(OFFSETS_TOPIC_SEGMENT_BYTES), c.getInt(GROUP_INITIAL_REBALANCE_DELAY_MS),
                c.getInt(GROUP_MIN_SESSION_TIMEOUT_MS), c.getInt(GROUP_MAX_SESSION_TIMEOUT_MS), c.getInt(GROUP_MAX_SIZE),
                c.getInt(OFFSET_METADATA_MAX_BYTES), c.getInt(OFFSETS_RETENTION_MINUTES) * 60_000L,
                c.getLong(OFFSETS_RETENTION_CHECK_INTERVAL_MS), NEW_MEMBER_JOIN_TIMEOUT_MS);
    }

    /** Kafka's defaults. */
    public static GroupConfig defaults() {
        return from(Map.of());
    }

    public GroupConfig withInitialRebalanceDelayMs(int delayMs) {
        return new GroupConfig(offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                delayMs, groupMinSessionTimeoutMs, groupMaxSessionTimeoutMs, groupMaxSize, offsetMetadataMaxBytes,
                offsetsRetentionMs, offsetsRetentionCheckIntervalMs, newMemberJoinTimeoutMs);
    }

    public GroupConfig withGroupMaxSize(int maxSize) {
        return new GroupConfig(offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                groupInitialRebalanceDelayMs, groupMinSessionTimeoutMs, groupMaxSessionTimeoutMs, maxSize,
                offsetMetadataMaxBytes, offsetsRetentionMs, offsetsRetentionCheckIntervalMs, newMemberJoinTimeoutMs);
    }
}
