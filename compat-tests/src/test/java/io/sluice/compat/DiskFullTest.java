package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A log dir on a file system that fills up: a 4 MB tmpfs mounted by the test (tests run as root here), next to
 * a log dir on the ordinary disk. Writing to a partition on the tmpfs until it is full gives the producer
 * KAFKA_STORAGE_ERROR, takes that log dir offline (as Kafka's {@code LogDirFailureChannel} does) while the other
 * dir keeps serving, and {@code kafka-log-dirs --describe} shows the dir with its error. Once the file system has
 * room again and the broker restarted, every acknowledged record is read back intact, every batch's CRC valid
 * ({@code kafka-dump-log}), and the partition takes writes again.
 */
class DiskFullTest {

    @Test
    void aFullLogDirGoesOfflineAloneAndRecoversAfterARestart(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "starts Sluice's own command line");
        Path full = dataDir.resolve("small-fs");
        Path healthy = dataDir.resolve("logs-ok");
        Files.createDirectories(full);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", full.toString()) == 0,
                "mounting a tmpfs needs root (CAP_SYS_ADMIN)");
        try (BrokerProcess broker = BrokerProcess.start(dataDir.resolve("broker"), Map.of(
                "log.dirs", full + "," + healthy, "offsets.topic.replication.factor", "1"))) {
            String filling = Clients.uniqueTopic("filling");
            String other = Clients.uniqueTopic("other");
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                // a new partition goes to the dir with the fewest: the tmpfs first, then the disk
                Clients.createTopic(admin, filling, 1);
                Clients.createTopic(admin, other, 1);
                assertTrue(Files.isDirectory(full.resolve(filling + "-0")));
                assertTrue(Files.isDirectory(healthy.resolve(other + "-0")));
            }

            Map<String, Object> noRetries = Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20);
            String value = "x".repeat(100_000);
            int acknowledged = 0;
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), noRetries)) {
                ExecutionException refused = null;
                for (int i = 0; i < 100 && refused == null; i++) {
                    try {
                        producer.send(new ProducerRecord<>(filling, 0, "k" + i, value)).get(30, TimeUnit.SECONDS);
                        acknowledged++;
                    } catch (ExecutionException e) {
                        refused = e;
                    }
                }
                assertTrue(refused != null, "100 records of 100 KB fitted in a 4 MB file system");
                assertInstanceOf(KafkaStorageException.class, refused.getCause(), refused.toString());
                assertTrue(acknowledged > 0, "nothing fitted before the file system was full");
                ExecutionException again = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(filling, 0, "k", "small")).get(30, TimeUnit.SECONDS));
                assertInstanceOf(KafkaStorageException.class, again.getCause(), "the dir stays offline");

                assertEquals(0, producer.send(new ProducerRecord<>(other, 0, "k", "v")).get(30, TimeUnit.SECONDS).offset(),
                        "the other log dir keeps serving");
            }
            assertEquals("v", Clients.consume(broker.bootstrap(), new TopicPartition(other, 0), 0, 1).get(0).value());

            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(0))
                        .descriptions().get(0).get(30, TimeUnit.SECONDS);
                assertInstanceOf(KafkaStorageException.class, dirs.get(full.toString()).error(), dirs.toString());
                assertNull(dirs.get(healthy.toString()).error(), dirs.toString());
            }
            String described = KafkaTools.run("org.apache.kafka.tools.LogDirsCommand", "--bootstrap-server",
                    broker.bootstrap(), "--describe").assertSuccess("kafka-log-dirs").stdout();
            // the offline dir's entry: no partitions, the exception's class name as its error
            Matcher entry = Pattern.compile("\\{[^{}]*\"logDir\":\""
                    + Pattern.quote(full.toString()) + "\"[^{}]*}").matcher(described);
            assertTrue(entry.find(), described);
            assertTrue(entry.group().contains("\"error\":\"org.apache.kafka.common.errors.KafkaStorageException\""),
                    described);
            String output = broker.output();
            assertEquals(1, output.lines().filter(l -> l.contains("Stopped serving replicas in dir " + full)).count(),
                    output);

            broker.stop();
            assertEquals(0, run("mount", "-o", "remount,size=64m", full.toString()), "growing the tmpfs");
            broker.restart();
            List<ConsumerRecord<String, String>> records = Clients.consume(broker.bootstrap(),
                    new TopicPartition(filling, 0), 0, acknowledged);
            for (int i = 0; i < acknowledged; i++) {
                assertEquals(i, records.get(i).offset());
                assertEquals("k" + i, records.get(i).key());
                assertEquals(value, records.get(i).value());
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
                assertEquals(acknowledged, producer.send(new ProducerRecord<>(filling, 0, "k", "after"))
                        .get(30, TimeUnit.SECONDS).offset(), "the partition takes writes again");
            }
            String dump = KafkaTools.run("org.apache.kafka.tools.DumpLogSegments", "--deep-iteration", "--files",
                    full.resolve(filling + "-0").resolve("00000000000000000000.log").toString())
                    .assertSuccess("kafka-dump-log").stdout();
            assertTrue(!dump.contains("isValid: false"), dump);
            assertEquals(acknowledged + 1, dump.lines().filter(line -> line.contains("| offset: ")).count(), dump);
        } finally {
            run("umount", "-l", full.toString());
        }
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(System.out);
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
