package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kafka-log-dirs --describe} (DescribeLogDirs) reports our partitions' sizes, and the Java consumer's position
 * validation after a leader epoch change (OffsetForLeaderEpoch, KIP-320) works: a position inside the epoch is
 * accepted, one past the epoch's end is reported as log truncation.
 */
class LogDirsAndEpochsTest {

    @TempDir
    static Path dataDir;
    private static SluiceCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = SluiceCluster.start(dataDir);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void produce(String topic, int partition, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "value-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** What the broker's files hold for a partition: the sum of its segment sizes. */
    private static long segmentBytes(String topic, int partition) throws Exception {
        Path partitionDir = Stream.of(cluster.dataDir().resolve("logs"), cluster.dataDir())
                .map(d -> d.resolve(topic + "-" + partition)).filter(Files::isDirectory).findFirst().orElseThrow();
        try (Stream<Path> files = Files.list(partitionDir)) {
            long total = 0;
            for (Path p : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    @Test
    void kafkaLogDirsReportsPartitionSizes() throws Exception {
        Admin admin = cluster.admin();
        String topic = Clients.uniqueTopic("logdirs");
        Clients.createTopic(admin, topic, 2);
        produce(topic, 0, 25);
        produce(topic, 1, 3);
        long size0 = segmentBytes(topic, 0);
        long size1 = segmentBytes(topic, 1);
        assertTrue(size0 > size1 && size1 > 0);

        KafkaTools.Result result = KafkaTools.run("org.apache.kafka.tools.LogDirsCommand", "--bootstrap-server",
                cluster.bootstrap(), "--describe", "--topic-list", topic).assertSuccess("kafka-log-dirs --describe");
        String out = result.stdout();
        assertTrue(out.contains("Received log directory information from brokers " + cluster.brokerId()), out);
        assertEquals(size0, sizeIn(out, topic + "-0"), out);
        assertEquals(size1, sizeIn(out, topic + "-1"), out);
        assertTrue(out.contains("\"offsetLag\":0"), out);
        assertTrue(out.contains("\"isFuture\":false"), out);
        assertFalse(out.contains("\"error\":\"") && !out.contains("\"error\":null"), out);

        // v4+: the file system's space
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(cluster.brokerId())).allDescriptions()
                .get(30, TimeUnit.SECONDS).get(cluster.brokerId());
        assertEquals(1, dirs.size(), dirs.toString());
        LogDirDescription dir = dirs.values().iterator().next();
        assertTrue(dir.totalBytes().orElse(0) > 0 && dir.usableBytes().orElse(-1) >= 0, dir.toString());
        ReplicaInfo replica = dir.replicaInfos().get(new TopicPartition(topic, 0));
        assertEquals(size0, replica.size());
    }

    private static long sizeIn(String out, String partition) {
        Matcher m = Pattern.compile("\"partition\":\"" + Pattern.quote(partition) + "\",\"size\":(\\d+)").matcher(out);
        assertTrue(m.find(), partition + " in " + out);
        return Long.parseLong(m.group(1));
    }

    private static KafkaConsumer<String, String> consumerWithoutReset() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void consumerPositionValidationUsesOffsetForLeaderEpoch() throws Exception {
        String topic = Clients.uniqueTopic("epochs");
        Clients.createTopic(cluster.admin(), topic, 1);
        produce(topic, 0, 10);
        TopicPartition tp = new TopicPartition(topic, 0);
        int epoch = Clients.consume(cluster.bootstrap(), tp, 0, 1).get(0).leaderEpoch().orElseThrow();

        try (KafkaConsumer<String, String> consumer = consumerWithoutReset()) {
            consumer.assign(List.of(tp));
            // a committed position with its epoch: the consumer validates it with OffsetForLeaderEpoch before fetching
            consumer.seek(tp, new OffsetAndMetadata(4, Optional.of(epoch), ""));
            List<ConsumerRecord<String, String>> records = Clients.poll(consumer, 6);
            assertEquals(4, records.get(0).offset());
            assertEquals("value-4", records.get(0).value());
        }
        try (KafkaConsumer<String, String> consumer = consumerWithoutReset()) {
            consumer.assign(List.of(tp));
            // offset 50 in an epoch that ended at 10: the log was truncated below the position
            consumer.seek(tp, new OffsetAndMetadata(50, Optional.of(epoch), ""));
            LogTruncationException e = assertThrows(LogTruncationException.class, () -> {
                long deadline = System.nanoTime() + Clients.DEADLINE.toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
            });
            assertEquals(10L, e.divergentOffsets().get(tp).offset(), e.toString());
            assertEquals(Optional.of(epoch), e.divergentOffsets().get(tp).leaderEpoch());
        }
    }
}
