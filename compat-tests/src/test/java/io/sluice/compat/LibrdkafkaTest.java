package io.sluice.compat;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;


import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * librdkafka, through kcat and python3-confluent-kafka (Debian packages), against one broker shared by
 * the tests. A missing package fails the test naming it; bin/install-test-deps.sh installs them.
 */
class LibrdkafkaTest extends SharedBrokerTest {

    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);

    private static List<String> kcat(String... args) {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", cluster.bootstrap()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void kcatListsMetadata() throws Exception {
        ExternalProcess.requireProgram("kcat", "kcat");
        String topic = Clients.uniqueTopic("kcat-metadata");
        Clients.createTopic(admin, topic, 3);

        ExternalProcess.Result result = ExternalProcess.run(kcat("-L", "-J", "-t", topic), null, KCAT_TIMEOUT)
                .assertSuccess("kcat -L");
        JsonNode metadata = PythonScripts.JSON.readTree(result.stdout());
        JsonNode brokers = metadata.get("brokers");
        assertEquals(1, brokers.size(), result.stdout());
        assertEquals(cluster.brokerId(), brokers.get(0).get("id").asInt());
        assertEquals("127.0.0.1:" + cluster.port(), brokers.get(0).get("name").asText());
        assertEquals(cluster.brokerId(), metadata.get("controllerid").asInt());
        JsonNode topics = metadata.get("topics");
        assertEquals(1, topics.size(), result.stdout());
        assertEquals(topic, topics.get(0).get("topic").asText());
        JsonNode partitions = topics.get(0).get("partitions");
        assertEquals(3, partitions.size(), result.stdout());
        for (int p = 0; p < 3; p++) {
            JsonNode partition = partitions.get(p);
            assertEquals(p, partition.get("partition").asInt());
            assertEquals(cluster.brokerId(), partition.get("leader").asInt());
            assertEquals("[{\"id\":" + cluster.brokerId() + "}]", partition.get("replicas").toString());
            assertEquals("[{\"id\":" + cluster.brokerId() + "}]", partition.get("isrs").toString());
        }

        // and the plain listing a user reads
        String text = ExternalProcess.run(kcat("-L"), null, KCAT_TIMEOUT).assertSuccess("kcat -L").stdout();
        assertTrue(text.contains("broker 0 at 127.0.0.1:" + cluster.port()), text);
        assertTrue(text.contains("topic \"" + topic + "\" with 3 partitions"), text);
    }

    @Test
    void kcatProducesAndConsumesKeysValuesAndHeaders() throws Exception {
        ExternalProcess.requireProgram("kcat", "kcat");
        String topic = Clients.uniqueTopic("kcat-roundtrip");
        Clients.createTopic(admin, topic, 1);

        ExternalProcess.run(kcat("-P", "-t", topic, "-p", "0", "-K:", "-H", "source=kcat", "-H", "trace=abc"),
                "k1:first\nk2:second\nk3:third\n", KCAT_TIMEOUT).assertSuccess("kcat -P");

        ExternalProcess.Result consumed = ExternalProcess.run(
                kcat("-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-J"), null, KCAT_TIMEOUT)
                .assertSuccess("kcat -C");
        List<String> lines = consumed.stdout().strip().lines().toList();
        assertEquals(3, lines.size(), consumed.stdout() + consumed.stderr());
        String[] keys = {"k1", "k2", "k3"};
        String[] values = {"first", "second", "third"};
        for (int i = 0; i < 3; i++) {
            JsonNode message = PythonScripts.JSON.readTree(lines.get(i));
            assertEquals(i, message.get("offset").asLong());
            assertEquals(keys[i], message.get("key").asText());
            assertEquals(values[i], message.get("payload").asText());
            assertEquals("[\"source\",\"kcat\",\"trace\",\"abc\"]", message.get("headers").toString());
            assertEquals("create", message.get("tstype").asText());
        }

        // kcat's records, read by kafka-clients
        List<ConsumerRecord<String, String>> records = Clients.consume(cluster.bootstrap(), new TopicPartition(topic, 0), 0, 3);
        assertEquals("k2", records.get(1).key());
        assertEquals("second", records.get(1).value());
        assertNotNull(records.get(1).headers().lastHeader("trace"));
        assertEquals("abc", new String(records.get(1).headers().lastHeader("trace").value(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void confluentKafkaProducerAndAssignConsumer(String compression) throws Exception {
        ExternalProcess.requirePythonModule("confluent_kafka", "python3-confluent-kafka");
        String topic = Clients.uniqueTopic("confluent-" + compression);
        Clients.createTopic(admin, topic, 1);
        PythonScripts.assertRoundTrip("confluent_roundtrip.py", cluster.bootstrap(), topic, compression, 50);
    }
}
