package io.sluice.server.config;

import io.sluice.storage.LogConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicConfigsTest {

    private static BrokerConfig broker(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("log.dirs", "/tmp/unused");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return new BrokerConfig(props);
    }

    private static InvalidConfigurationException invalid(String key, String value) {
        return assertThrows(InvalidConfigurationException.class, () -> TopicConfigs.validate(Map.of(key, value)));
    }

    @Test
    void unknownKeyIsRejectedWithKafkaMessage() {
        assertEquals("Unknown topic config name: no.such.config", invalid("no.such.config", "1").getMessage());
        // Gone in Kafka 4.x.
        invalid("message.downconversion.enable", "true");
        invalid("message.format.version", "3.0");
    }

    @Test
    void badValuesNameTheKey() {
        assertEquals("Invalid value abc for configuration retention.ms: Not a number of type LONG",
                invalid("retention.ms", "abc").getMessage());
        assertTrue(invalid("segment.bytes", "14").getMessage().contains("segment.bytes"));
        assertTrue(invalid("cleanup.policy", "Compact").getMessage().contains("cleanup.policy"));
        assertTrue(invalid("compression.type", "none").getMessage().contains("compression.type"));
        assertTrue(invalid("message.timestamp.type", "createtime").getMessage().contains("message.timestamp.type"));
        assertTrue(invalid("compression.gzip.level", "0").getMessage().contains("compression.gzip.level"));
        assertTrue(invalid("min.cleanable.dirty.ratio", "1.5").getMessage().contains("min.cleanable.dirty.ratio"));
        assertTrue(invalid("retention.ms", "-2").getMessage().contains("retention.ms"));
        assertTrue(invalid("flush.messages", "0").getMessage().contains("flush.messages"));
        assertTrue(invalid("preallocate", "yes").getMessage().contains("preallocate"));
        assertTrue(invalid("leader.replication.throttled.replicas", "x").getMessage()
                .contains("leader.replication.throttled.replicas"));
        assertTrue(invalid("remote.storage.enable", "true").getMessage().contains("remote.storage.enable"));
    }

    @Test
    void acceptsWhatKafkaAccepts() {
        for (String[] kv : new String[][]{
                {"cleanup.policy", ""}, {"cleanup.policy", "compact,delete"}, {"cleanup.policy", " compact , delete "},
                {"segment.bytes", "1048576"}, {"max.message.bytes", "0"}, {"retention.ms", "-1"},
                {"retention.bytes", "-5"}, {"preallocate", "TRUE"}, {"segment.index.bytes", "4"},
                {"leader.replication.throttled.replicas", "*"}, {"follower.replication.throttled.replicas", "0:1,1:2"},
                {"compression.type", "uncompressed"}, {"compression.zstd.level", "-5"}, {"local.retention.ms", "5"},
                {"internal.segment.bytes", "100"}, {"retention.ms", " 100 "}}) {
            assertDoesNotThrow(() -> TopicConfigs.validate(Map.of(kv[0], kv[1])), kv[0] + "=" + kv[1]);
        }
    }

    @Test
    void compactionLagConflict() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () ->
                TopicConfigs.validate(Map.of("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5")));
        assertEquals("conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)",
                e.getMessage());
    }

    @Test
    void defaultsAreKafkas() {
        LogConfig config = TopicConfigs.logConfig(broker(), Map.of(), Map.of());
        assertEquals(LogConfig.defaults(), config);
    }

    @Test
    void resolutionOrderIsOverrideThenDynamicThenStaticThenDefault() {
        BrokerConfig broker = broker("log.retention.hours", "24", "log.segment.bytes", "2097152",
                "message.max.bytes", "5000", "log.cleanup.policy", "compact");
        LogConfig fromStatic = TopicConfigs.logConfig(broker, Map.of(), Map.of());
        assertEquals(24 * 3_600_000L, fromStatic.retentionMs());
        assertEquals(2097152, fromStatic.segmentBytes());
        assertEquals(5000, fromStatic.maxMessageBytes());
        assertTrue(fromStatic.compact());
        assertFalse(fromStatic.delete());

        LogConfig fromDynamic = TopicConfigs.logConfig(broker,
                Map.of("log.retention.ms", "1000", "message.max.bytes", "6000"), Map.of());
        assertEquals(1000, fromDynamic.retentionMs());
        assertEquals(6000, fromDynamic.maxMessageBytes());
        assertEquals(2097152, fromDynamic.segmentBytes());

        LogConfig fromTopic = TopicConfigs.logConfig(broker, Map.of("log.retention.ms", "1000"),
                Map.of("retention.ms", "7", "message.timestamp.type", "LogAppendTime", "cleanup.policy", ""));
        assertEquals(7, fromTopic.retentionMs());
        assertEquals(TimestampType.LOG_APPEND_TIME, fromTopic.messageTimestampType());
        assertFalse(fromTopic.compact());
        assertFalse(fromTopic.delete());
    }

    @Test
    void brokerSynonymsInKafkaOrderAndUnits() {
        assertEquals(60_000L, TopicConfigs.logConfig(broker("log.retention.minutes", "1", "log.retention.hours", "5"),
                Map.of(), Map.of()).retentionMs());
        assertEquals(10L, TopicConfigs.logConfig(broker("log.retention.ms", "10", "log.retention.minutes", "1"),
                Map.of(), Map.of()).retentionMs());
        assertEquals(-1L, TopicConfigs.logConfig(broker("log.retention.ms", "-5"), Map.of(), Map.of()).retentionMs());
        assertEquals(2 * 3_600_000L, TopicConfigs.logConfig(broker("log.roll.hours", "2"), Map.of(), Map.of())
                .segmentMs());
        assertEquals(500L, TopicConfigs.logConfig(broker("log.flush.scheduler.interval.ms", "500"), Map.of(), Map.of())
                .flushMs());
        // A dynamic value beats any static synonym, even a more specific one.
        assertEquals(3 * 3_600_000L, TopicConfigs.logConfig(broker("log.roll.ms", "10"),
                Map.of("log.roll.hours", "3"), Map.of()).segmentMs());
    }

    @Test
    void internalSegmentBytesOverridesSegmentBytes() {
        assertEquals(1000, TopicConfigs.logConfig(broker(), Map.of(), Map.of("internal.segment.bytes", "1000"))
                .segmentBytes());
        assertFalse(TopicConfigs.names().contains("internal.segment.bytes"));
    }

    @Test
    void invalidDynamicBrokerValueFallsThrough() {
        assertEquals(LogConfig.DEFAULT_SEGMENT_BYTES, TopicConfigs.logConfig(broker(),
                Map.of("log.segment.bytes", "garbage"), Map.of()).segmentBytes());
    }

    @Test
    void invalidTopicOverrideNamesTheKey() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () ->
                TopicConfigs.logConfig(broker(), Map.of(), Map.of("segment.ms", "0")));
        assertTrue(e.getMessage().contains("segment.ms"), e.getMessage());
    }

    @Test
    void dynamicBrokerConfigsLayerPerBrokerOverDefault() {
        Map<String, String> merged = TopicConfigs.dynamicBrokerConfigs(Map.of(
                -1, Map.of("log.retention.ms", "1", "message.max.bytes", "2"),
                3, Map.of("log.retention.ms", "10"),
                4, Map.of("log.retention.ms", "20")), 3);
        assertEquals(Map.of("log.retention.ms", "10", "message.max.bytes", "2"), merged);
    }

    @Test
    void listsKafkaTopicConfigNames() {
        for (String name : new String[]{"cleanup.policy", "compression.type", "compression.gzip.level",
                "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms", "index.interval.bytes",
                "max.compaction.lag.ms", "max.message.bytes", "message.timestamp.type",
                "message.timestamp.before.max.ms", "message.timestamp.after.max.ms", "min.cleanable.dirty.ratio",
                "min.compaction.lag.ms", "min.insync.replicas", "preallocate", "retention.bytes", "retention.ms",
                "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
                "unclean.leader.election.enable", "remote.storage.enable", "local.retention.ms"}) {
            assertTrue(TopicConfigs.names().contains(name), name);
        }
        assertEquals(33, TopicConfigs.names().size());
    }
}
