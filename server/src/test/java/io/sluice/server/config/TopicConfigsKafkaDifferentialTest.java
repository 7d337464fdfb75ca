package io.sluice.server.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.server.config.ConfigSynonym;
import org.apache.kafka.server.config.ServerTopicConfigSynonyms;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TopicConfigs against Apache Kafka 4.3's own topic config definitions ({@code LogConfig},
 * {@code ServerTopicConfigSynonyms}): same names, types, defaults and broker synonyms, and the same
 * verdict on a corpus of values. Kafka is only the reference here; Sluice never calls it.
 */
class TopicConfigsKafkaDifferentialTest {

    @Test
    void sameNamesTypesAndDefaults() {
        assertEquals(new TreeSet<>(LogConfig.nonInternalConfigNames()), new TreeSet<>(TopicConfigs.names()));
        for (Map.Entry<String, ConfigDef.ConfigKey> entry : LogConfig.configKeys().entrySet()) {
            ConfigDef.ConfigKey kafka = entry.getValue();
            if (kafka.internalConfig) {
                continue;
            }
            ConfigDef.ConfigKey ours = TopicConfigs.configKey(entry.getKey()).orElseThrow();
            assertEquals(kafka.type, ours.type, entry.getKey());
            assertEquals(ConfigDef.convertToString(kafka.defaultValue, kafka.type),
                    ConfigDef.convertToString(ours.defaultValue, ours.type), entry.getKey());
            assertEquals(String.valueOf(kafka.validator), String.valueOf(ours.validator), entry.getKey());
        }
    }

    @Test
    void brokerLogConfigsMatchKafkas() {
        Set<String> compared = new TreeSet<>();
        for (ConfigDef.ConfigKey kafka : LogConfig.SERVER_CONFIG_DEF.configKeys().values()) {
            ConfigDef.ConfigKey ours = BrokerConfig.DEF.configKeys().get(kafka.name);
            // log.dir(s): Sluice parses them itself (a STRING, where Kafka has a LIST).
            if (ours == null || kafka.name.startsWith("log.dir")) {
                continue;
            }
            compared.add(kafka.name);
            assertEquals(kafka.type, ours.type, kafka.name);
            assertEquals(ConfigDef.convertToString(kafka.defaultValue, kafka.type),
                    ConfigDef.convertToString(ours.defaultValue, ours.type), kafka.name);
            assertEquals(String.valueOf(kafka.validator), String.valueOf(ours.validator), kafka.name);
        }
        for (String name : List.of("log.segment.bytes", "log.roll.hours", "log.retention.hours", "log.cleanup.policy",
                "log.message.timestamp.type", "min.insync.replicas", "num.partitions")) {
            assertEquals(true, compared.contains(name), name);
        }
    }

    @Test
    void sameBrokerSynonyms() {
        for (String name : TopicConfigs.names()) {
            List<String> kafka = ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS.getOrDefault(name, List.of())
                    .stream().map(ConfigSynonym::name).toList();
            List<String> ours = TopicConfigs.brokerSynonyms(name).stream().map(TopicConfigs.BrokerSynonym::name).toList();
            assertEquals(kafka, ours, name);
            for (ConfigSynonym synonym : ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS.getOrDefault(name, List.of())) {
                TopicConfigs.BrokerSynonym mine = TopicConfigs.brokerSynonyms(name).stream()
                        .filter(s -> s.name().equals(synonym.name())).findFirst().orElseThrow();
                assertEquals(synonym.converter().apply("3"), mine.toTopicValue("3"), synonym.name());
            }
        }
    }

    @Test
    void sameVerdictOnValues() {
        Map<String, List<String>> corpus = new HashMap<>();
        List<String> numbers = List.of("-3", "-2", "-1", "0", "1", "3", "4", "13", "14", "1048575", "1048576",
                "2147483647", "2147483648", "9223372036854775807", "abc", "", " 7 ", "1.5", "0.5");
        for (String name : TopicConfigs.names()) {
            corpus.put(name, numbers);
        }
        corpus.put("cleanup.policy", List.of("", "compact", "delete", "compact,delete", " compact , delete ",
                "Compact", "compact,compact", "shred", "compact,"));
        corpus.put("compression.type", List.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd", "none",
                "ZSTD", ""));
        corpus.put("message.timestamp.type", List.of("CreateTime", "LogAppendTime", "createtime", ""));
        for (String bool : List.of("preallocate", "unclean.leader.election.enable", "remote.log.copy.disable",
                "remote.log.delete.on.disable")) {
            corpus.put(bool, List.of("true", "false", "TRUE", "yes", "", "1"));
        }
        corpus.put("remote.storage.enable", List.of("false", "FALSE", "yes"));
        corpus.put("leader.replication.throttled.replicas", List.of("", "*", "0:1", "0:1,1:2", "x", "0:1,*", " 0:1 "));
        corpus.put("follower.replication.throttled.replicas", corpus.get("leader.replication.throttled.replicas"));
        Set<String> mismatches = new TreeSet<>();
        corpus.forEach((name, values) -> {
            for (String value : values) {
                boolean kafkaAccepts = accepts(() -> LogConfig.validate(Map.of(name, value)));
                boolean weAccept = accepts(() -> TopicConfigs.validate(Map.of(name, value)));
                if (kafkaAccepts != weAccept) {
                    mismatches.add(name + "=" + value + " kafka:" + kafkaAccepts + " sluice:" + weAccept);
                }
            }
        });
        assertEquals(Set.of(), mismatches);
    }

    private static boolean accepts(Runnable validation) {
        try {
            validation.run();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
