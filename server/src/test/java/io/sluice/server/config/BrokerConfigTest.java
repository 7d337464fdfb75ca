package io.sluice.server.config;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerConfigTest {

    private static Map<String, String> props(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("log.dirs", "/tmp/unused");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private static void assertRejectedNaming(String key, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> new BrokerConfig(props(key, value)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void aRequestBudgetSmallerThanTheLargestRequestIsRefusedAsKafkaRefusesIt() {
        assertRejectedNaming("queued.max.request.bytes", "1000");
        assertRejectedNaming("queued.max.requests", "0");
        assertEquals(-1, new BrokerConfig(props()).queuedMaxRequestBytes());
        assertEquals(200_000_000L, new BrokerConfig(props("queued.max.request.bytes", "200000000")).queuedMaxRequestBytes());
    }

    @Test
    void badValueNamesTheKey() {
        assertRejectedNaming("log.segment.bytes", "100");
        assertRejectedNaming("log.retention.hours", "abc");
        assertRejectedNaming("log.cleanup.policy", "shred");
        assertRejectedNaming("message.max.bytes", "-1");
        assertRejectedNaming("log.message.timestamp.type", "Whenever");
        assertRejectedNaming("compression.type", "brotli");
        assertRejectedNaming("min.insync.replicas", "0");
        assertRejectedNaming("num.partitions", "0");
        // No broker-side validator, but not a valid segment.ms: Kafka refuses it too.
        assertRejectedNaming("log.roll.ms", "0");
    }

    @Test
    void aSettingAskingForWhatIsNotBuiltStopsStartupNamingTheKey() {
        // tried as a new user would: an SSL listener used to be bound as plaintext, without a word
        assertRejectedNaming("listeners", "SSL://127.0.0.1:9093");
        assertRejectedNaming("listeners", "PLAINTEXT://:9092,SASL_PLAINTEXT://:9094");
        assertRejectedNaming("listeners", "SASL_SSL://:9095");
        ConfigException mapped = assertThrows(ConfigException.class, () -> new BrokerConfig(props(
                "listeners", "INTERNAL://:9092", "listener.security.protocol.map", "INTERNAL:SSL")));
        assertTrue(mapped.getMessage().contains("listeners") && mapped.getMessage().contains("SSL"), mapped.getMessage());
        assertRejectedNaming("advertised.listeners", "SSL://broker:9093");
        assertRejectedNaming("security.inter.broker.protocol", "SASL_SSL");
        assertRejectedNaming("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        assertRejectedNaming("zookeeper.set.acl", "true");
        assertRejectedNaming("zookeeper.ssl.client.enable", "true");
        assertRejectedNaming("remote.log.storage.system.enable", "true");
        assertRejectedNaming("max.connections", "1000");
        assertRejectedNaming("max.connections.per.ip", "10");
        assertRejectedNaming("max.connections.per.ip.overrides", "127.0.0.1:5");
        assertRejectedNaming("max.connection.creation.rate", "100");
    }

    @Test
    void theHarmlessValuesOfThoseSettingsAreAccepted() {
        new BrokerConfig(props("listeners", "PLAINTEXT://127.0.0.1:0", "security.inter.broker.protocol", "PLAINTEXT",
                "authorizer.class.name", "", "zookeeper.set.acl", "false", "zookeeper.ssl.client.enable", "false",
                "remote.log.storage.system.enable", "false",
                // only read for TLS and SASL listeners, which are refused: Kafka ignores them too without one
                "ssl.keystore.location", "/nowhere", "sasl.enabled.mechanisms", "PLAIN"));
        new BrokerConfig(props("listeners", "INTERNAL://:0", "listener.security.protocol.map", "INTERNAL:PLAINTEXT"));
    }

    @Test
    void unknownKeyIsIgnored() {
        BrokerConfig config = new BrokerConfig(props("no.such.config", "x"));
        assertNull(config.staticValue("no.such.config"));
    }

    @Test
    void staticValuesAreOnlyTheOnesSet() {
        BrokerConfig config = new BrokerConfig(props("log.retention.hours", "24", "log.cleanup.policy", "compact, delete"));
        assertEquals("24", config.staticValue("log.retention.hours"));
        assertEquals("compact,delete", config.staticValue("log.cleanup.policy"));
        assertNull(config.staticValue("log.segment.bytes"));
        assertEquals(Map.of("log.dirs", "/tmp/unused", "log.retention.hours", "24",
                "log.cleanup.policy", "compact,delete"), config.staticConfigs());
    }

    @Test
    void kafkaDefaults() {
        BrokerConfig config = new BrokerConfig(props());
        assertEquals(1073741824, config.getInt("log.segment.bytes"));
        assertEquals(168, config.getInt("log.retention.hours"));
        assertEquals(1048588, config.getInt("message.max.bytes"));
        assertEquals("producer", config.getString("compression.type"));
    }
}
