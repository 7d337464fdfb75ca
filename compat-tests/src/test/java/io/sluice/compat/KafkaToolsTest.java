package io.sluice.compat;


import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;


import org.junit.jupiter.api.Test;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's own command line tools (kafka-tools and kafka_2.13 4.3.0, the classes behind
 * {@code bin/kafka-*.sh}) against one broker shared by the tests, checking what they print.
 */
class KafkaToolsTest extends SharedBrokerTest {

    private static String bootstrap() {
        return cluster.bootstrap();
    }

    private static List<String> lines(String output) {
        return Arrays.stream(output.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void kafkaTopicsCreateListDescribeAlterDelete() {
        String topic = Clients.uniqueTopic("tool-topics");
        KafkaTools.Result created = KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap(),
                "--create", "--topic", topic, "--partitions", "2", "--replication-factor", "1",
                "--config", "retention.ms=3600000").assertSuccess("kafka-topics --create");
        assertTrue(created.stdout().contains("Created topic " + topic + "."), created.stdout());

        KafkaTools.Result listed = KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap(), "--list")
                .assertSuccess("kafka-topics --list");
        assertTrue(lines(listed.stdout()).contains(topic), listed.stdout());

        String described = describe(topic);
        assertTrue(described.contains("Topic: " + topic), described);
        assertTrue(Pattern.compile("PartitionCount: 2\\s+ReplicationFactor: 1").matcher(described).find(), described);
        assertTrue(described.contains("retention.ms=3600000"), described);
        for (int p = 0; p < 2; p++) {
            assertTrue(Pattern.compile("Partition: " + p + "\\s+Leader: 0\\s+Replicas: 0\\s+Isr: 0").matcher(described).find(),
                    described);
        }

        KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap(), "--alter", "--topic", topic, "--partitions", "4")
                .assertSuccess("kafka-topics --alter --partitions 4");
        Clients.waitUntil("kafka-topics --describe shows 4 partitions", () -> describe(topic).contains("PartitionCount: 4"));
        assertTrue(describe(topic).contains("Partition: 3"));

        KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap(), "--delete", "--topic", topic)
                .assertSuccess("kafka-topics --delete");
        Clients.waitUntil("kafka-topics --list no longer shows " + topic, () -> !lines(KafkaTools.run(KafkaTools.TOPICS,
                "--bootstrap-server", bootstrap(), "--list").stdout()).contains(topic));
        KafkaTools.Result missing = KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap(), "--describe", "--topic", topic);
        assertEquals(1, missing.exitCode(), "describing a deleted topic fails: " + missing);
        assertTrue((missing.stdout() + missing.stderr()).contains("Topic '" + topic + "' does not exist as expected"),
                missing.toString());
    }

    private static String describe(String topic) {
        return KafkaTools.run(KafkaTools.TOPICS, "--bootstrap-server", bootstrap(), "--describe", "--topic", topic)
                .assertSuccess("kafka-topics --describe").stdout();
    }

    @Test
    void consoleProducerToConsoleConsumerWithPartitionAndOffset() throws Exception {
        String topic = Clients.uniqueTopic("tool-console");
        Clients.createTopic(admin, topic, 2);
        KafkaTools.runWithInput(KafkaTools.CONSOLE_PRODUCER, "k1:alpha\nk2:beta\nk3:gamma\nk4:delta\n",
                "--bootstrap-server", bootstrap(), "--topic", topic,
                "--reader-property", "parse.key=true", "--reader-property", "key.separator=:",
                // all to partition 1, so the offsets are known
                "--command-property", "partitioner.class=" + PartitionOne.class.getName())
                .assertSuccess("kafka-console-producer");

        // the records are there, for a Java client too
        List<ConsumerRecord<String, String>> records = Clients.consume(bootstrap(), new TopicPartition(topic, 1), 0, 4);
        assertEquals(List.of("k1", "k2", "k3", "k4"), records.stream().map(ConsumerRecord::key).toList());
        assertEquals(List.of("alpha", "beta", "gamma", "delta"), records.stream().map(ConsumerRecord::value).toList());

        KafkaTools.Result fromOffset = KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--partition", "1", "--offset", "1", "--max-messages", "2",
                "--formatter-property", "print.key=true", "--formatter-property", "print.offset=true", "--timeout-ms", "30000")
                .assertSuccess("kafka-console-consumer --offset 1");
        assertEquals(List.of("Offset:1\tk2\tbeta", "Offset:2\tk3\tgamma"), lines(fromOffset.stdout()));
        assertTrue(fromOffset.stderr().contains("Processed a total of 2 messages"), fromOffset.stderr());

        KafkaTools.Result fromEarliest = KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--partition", "1", "--offset", "earliest", "--max-messages", "4", "--timeout-ms", "30000")
                .assertSuccess("kafka-console-consumer --offset earliest");
        assertEquals(List.of("alpha", "beta", "gamma", "delta"), lines(fromEarliest.stdout()));

        KafkaTools.Result emptyPartition = KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--partition", "0", "--offset", "earliest", "--max-messages", "1", "--timeout-ms", "3000");
        assertEquals("", emptyPartition.stdout().strip(), "partition 0 got nothing");
        assertTrue(emptyPartition.stderr().contains("Processed a total of 0 messages"), emptyPartition.stderr());
    }

    /** Sends every record to partition 1 (kafka-console-producer has no --partition option). */
    public static final class PartitionOne implements org.apache.kafka.clients.producer.Partitioner {
        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes,
                             org.apache.kafka.common.Cluster cluster) {
            return 1;
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(java.util.Map<String, ?> configs) {
        }
    }

    @Test
    void kafkaConfigsAlterAndDescribeATopic() throws Exception {
        String topic = Clients.uniqueTopic("tool-configs");
        Clients.createTopic(admin, topic, 1);
        KafkaTools.Result altered = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap(),
                "--entity-type", "topics", "--entity-name", topic, "--alter",
                "--add-config", "retention.ms=12345,cleanup.policy=compact").assertSuccess("kafka-configs --alter");
        assertTrue(altered.stdout().contains("Completed updating config for topic " + topic + "."), altered.stdout());

        KafkaTools.Result described = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap(),
                "--entity-type", "topics", "--entity-name", topic, "--describe").assertSuccess("kafka-configs --describe");
        assertTrue(described.stdout().contains("Dynamic configs for topic " + topic + " are:"), described.stdout());
        assertTrue(described.stdout().contains("retention.ms=12345 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=12345}"),
                described.stdout());
        assertTrue(described.stdout().contains("cleanup.policy=compact"), described.stdout());

        KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap(), "--entity-type", "topics",
                "--entity-name", topic, "--alter", "--delete-config", "retention.ms").assertSuccess("kafka-configs --delete-config");
        String after = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap(), "--entity-type", "topics",
                "--entity-name", topic, "--describe").assertSuccess("kafka-configs --describe").stdout();
        assertFalse(after.contains("retention.ms="), after);
        assertTrue(after.contains("cleanup.policy=compact"), after);

        KafkaTools.Result all = KafkaTools.run(KafkaTools.CONFIGS, "--bootstrap-server", bootstrap(), "--entity-type", "topics",
                "--entity-name", topic, "--describe", "--all").assertSuccess("kafka-configs --describe --all");
        assertTrue(all.stdout().contains("All configs for topic " + topic + " are:"), all.stdout());
        assertTrue(all.stdout().contains("retention.ms=604800000 sensitive=false"), "Kafka's default retention.ms: " + all.stdout());
    }

    @Test
    void kafkaGetOffsets() throws Exception {
        String topic = Clients.uniqueTopic("tool-offsets");
        Clients.createTopic(admin, topic, 2);
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap())) {
            for (int i = 0; i < 7; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.send(new ProducerRecord<>(topic, 1, "k", "v")).get(30, TimeUnit.SECONDS);
        }
        KafkaTools.Result latest = KafkaTools.run(KafkaTools.GET_OFFSETS, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--time", "latest").assertSuccess("kafka-get-offsets --time latest");
        assertEquals(List.of(topic + ":0:7", topic + ":1:1"), lines(latest.stdout()));
        KafkaTools.Result earliest = KafkaTools.run(KafkaTools.GET_OFFSETS, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--time", "-2").assertSuccess("kafka-get-offsets --time -2");
        assertEquals(List.of(topic + ":0:0", topic + ":1:0"), lines(earliest.stdout()));
        KafkaTools.Result onePartition = KafkaTools.run(KafkaTools.GET_OFFSETS, "--bootstrap-server", bootstrap(),
                "--topic-partitions", topic + ":0", "--time", "max-timestamp").assertSuccess("kafka-get-offsets --time max-timestamp");
        assertEquals(1, lines(onePartition.stdout()).size(), onePartition.stdout());
        assertTrue(lines(onePartition.stdout()).get(0).startsWith(topic + ":0:"), onePartition.stdout());
    }

    @Test
    void kafkaDeleteRecordsWithAnOffsetJsonFile() throws Exception {
        String topic = Clients.uniqueTopic("tool-delete-records");
        Clients.createTopic(admin, topic, 1);
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap())) {
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }
        Path json = Files.writeString(dataDir.resolve(topic + "-delete.json"),
                "{\"partitions\": [{\"topic\": \"" + topic + "\", \"partition\": 0, \"offset\": 3}], \"version\": 1}");
        KafkaTools.Result deleted = KafkaTools.run(KafkaTools.DELETE_RECORDS, "--bootstrap-server", bootstrap(),
                "--offset-json-file", json.toString()).assertSuccess("kafka-delete-records");
        assertTrue(deleted.stdout().contains("partition: " + topic + "-0\tlow_watermark: 3"), deleted.stdout());

        KafkaTools.Result earliest = KafkaTools.run(KafkaTools.GET_OFFSETS, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--time", "earliest").assertSuccess("kafka-get-offsets --time earliest");
        assertEquals(List.of(topic + ":0:3"), lines(earliest.stdout()));
        List<ConsumerRecord<String, String>> left = Clients.consume(bootstrap(), new TopicPartition(topic, 0), 3, 3);
        assertEquals(List.of("v3", "v4", "v5"), left.stream().map(ConsumerRecord::value).toList());
    }
    @Test
    void kafkaProducerPerfTest() throws Exception {
        String topic = Clients.uniqueTopic("tool-perf");
        Clients.createTopic(admin, topic, 1);
        KafkaTools.Result result = KafkaTools.run(KafkaTools.PRODUCER_PERF_TEST, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--num-records", "5000", "--record-size", "100", "--throughput", "-1",
                "--command-property", "acks=all").assertSuccess("kafka-producer-perf-test");
        assertTrue(result.stdout().contains("5000 records sent"), result.stdout());
        KafkaTools.Result latest = KafkaTools.run(KafkaTools.GET_OFFSETS, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--time", "latest").assertSuccess("kafka-get-offsets");
        assertEquals(List.of(topic + ":0:5000"), lines(latest.stdout()));
    }

    @Test
    void kafkaBrokerApiVersions() {
        KafkaTools.Result result = KafkaTools.run(KafkaTools.BROKER_API_VERSIONS, "--bootstrap-server", bootstrap())
                .assertSuccess("kafka-broker-api-versions");
        assertTrue(result.stdout().contains("127.0.0.1:" + cluster.port() + " (id: " + cluster.brokerId()), result.stdout());
        // ApiVersions' own range is Kafka 4.3's; "usable" is what this kafka-clients will use
        assertTrue(result.stdout().contains("ApiVersions(18): 0 to 4 [usable: 4]"), result.stdout());
        for (String api : List.of("Produce(0)", "Fetch(1)", "ListOffsets(2)", "Metadata(3)", "CreateTopics(19)")) {
            assertTrue(Pattern.compile(Pattern.quote(api) + ": \\d+ to \\d+ \\[usable: \\d+]").matcher(result.stdout()).find(),
                    api + " is served: " + result.stdout());
        }
    }
}
