package io.sluice.server.config;

import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigDescriberTest {

    private static Map<String, ConfigDescription> byName(List<ConfigDescription> configs) {
        return configs.stream().collect(Collectors.toMap(ConfigDescription::name, Function.identity()));
    }

    private static ConfigDescription.Synonym synonym(String name, String value, ConfigSource source) {
        return new ConfigDescription.Synonym(name, value, source);
    }

    @Test
    void topicSourcesAndSynonyms() {
        ConfigTestContext ctx = new ConfigTestContext("log.segment.bytes", "2097152", "log.retention.hours", "24")
                .withTopic("t", Map.of("max.message.bytes", "100"));
        ctx.manager.incrementalAlterBroker("", List.of(
                new DynamicConfigManager.Op("log.roll.ms", OpType.SET, "5000")), false).join();
        Map<String, ConfigDescription> configs = byName(ctx.describer.describeTopic(ctx.image.get(), "t", null, true));
        assertEquals(TopicConfigs.names().size(), configs.size());

        ConfigDescription maxMessage = configs.get("max.message.bytes");
        assertEquals("100", maxMessage.value());
        assertEquals(ConfigSource.TOPIC_CONFIG, maxMessage.source());
        assertEquals(List.of(synonym("max.message.bytes", "100", ConfigSource.TOPIC_CONFIG),
                synonym("message.max.bytes", "1048588", ConfigSource.DEFAULT_CONFIG)), maxMessage.synonyms());
        assertEquals(ConfigDef.Type.INT, maxMessage.type());
        assertTrue(maxMessage.documentation().length() > 10);
        assertFalse(maxMessage.readOnly());

        ConfigDescription segmentBytes = configs.get("segment.bytes");
        assertEquals("2097152", segmentBytes.value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, segmentBytes.source());

        ConfigDescription segmentMs = configs.get("segment.ms");
        assertEquals("5000", segmentMs.value());
        assertEquals(List.of(synonym("log.roll.ms", "5000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
                synonym("log.roll.hours", "168", ConfigSource.DEFAULT_CONFIG)), segmentMs.synonyms());

        // Kafka starts the synonym list at log.retention.ms, so a static log.retention.hours shows as a default.
        ConfigDescription retention = configs.get("retention.ms");
        assertEquals("86400000", retention.value());
        assertEquals(ConfigSource.DEFAULT_CONFIG, retention.source());
        assertEquals(List.of(), retention.synonyms());

        ConfigDescription remote = configs.get("remote.storage.enable");
        assertEquals("false", remote.value());
        assertEquals(ConfigSource.DEFAULT_CONFIG, remote.source());
    }

    @Test
    void topicFilterAndMissingTopic() {
        ConfigTestContext ctx = new ConfigTestContext().withTopic("t", Map.of());
        assertEquals(List.of("cleanup.policy"), ctx.describer.describeTopic(ctx.image.get(), "t",
                List.of("cleanup.policy", "no.such"), false).stream().map(ConfigDescription::name).toList());
        assertNull(ctx.describer.describeTopic(ctx.image.get(), "t", List.of("cleanup.policy"), false).get(0)
                .documentation());
        assertThrows(UnknownTopicOrPartitionException.class,
                () -> ctx.describer.describeTopic(ctx.image.get(), "nope", null, false));
    }

    @Test
    void brokerConfigs() {
        ConfigTestContext ctx = new ConfigTestContext("log.retention.hours", "24", "custom.static", "s");
        ctx.manager.incrementalAlterBroker("", List.of(
                new DynamicConfigManager.Op("log.retention.ms", OpType.SET, "1000")), false).join();
        ctx.manager.incrementalAlterBroker("1", List.of(
                new DynamicConfigManager.Op("log.retention.ms", OpType.SET, "2000")), false).join();
        Map<String, ConfigDescription> configs = byName(ctx.describer.describeBroker(ctx.image.get(), true, null, true));

        ConfigDescription retentionMs = configs.get("log.retention.ms");
        assertEquals("2000", retentionMs.value());
        assertEquals(ConfigSource.DYNAMIC_BROKER_CONFIG, retentionMs.source());
        assertFalse(retentionMs.readOnly());
        assertEquals(List.of(synonym("log.retention.ms", "2000", ConfigSource.DYNAMIC_BROKER_CONFIG),
                synonym("log.retention.ms", "1000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
                synonym("log.retention.hours", "24", ConfigSource.STATIC_BROKER_CONFIG),
                synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG)), retentionMs.synonyms());

        ConfigDescription hours = configs.get("log.retention.hours");
        assertEquals("24", hours.value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, hours.source());
        assertTrue(hours.readOnly());

        ConfigDescription logDirs = configs.get("log.dirs");
        assertTrue(logDirs.readOnly());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, logDirs.source());

        ConfigDescription segmentBytes = configs.get("log.segment.bytes");
        assertEquals(ConfigSource.DEFAULT_CONFIG, segmentBytes.source());
        assertEquals("1073741824", segmentBytes.value());

        // Kafka hides the value of a config whose type it does not know.
        ConfigDescription custom = configs.get("custom.static");
        assertTrue(custom.sensitive());
        assertNull(custom.value());
        assertNull(custom.type());

        // The cluster default lists only what is set there, with only dynamic-default synonyms.
        List<ConfigDescription> defaults = ctx.describer.describeBroker(ctx.image.get(), false, null, false);
        assertEquals(1, defaults.size());
        assertEquals("1000", defaults.get(0).value());
        assertEquals(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, defaults.get(0).source());
        assertEquals(List.of(synonym("log.retention.ms", "1000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)),
                defaults.get(0).synonyms());
    }
}
