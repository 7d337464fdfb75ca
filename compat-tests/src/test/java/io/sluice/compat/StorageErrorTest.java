package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A log dir that stops accepting writes: a partition's directory is replaced by a plain file while the broker runs,
 * so the next segment roll fails with an I/O error (a read-only chmod would not stop root). As in Kafka, the whole
 * log dir goes offline with it: the producer gets KAFKA_STORAGE_ERROR for that partition, the broker logs the
 * failure once, partitions in the broker's other log dir keep working, and what was stored before is intact once
 * the directory is back and the broker restarted. ({@code DiskFullTest} does the same with a full file system.)
 */
class StorageErrorTest {

    @Test
    void anUnwritablePartitionDirIsAStorageErrorForThatPartitionOnly(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "starts Sluice's own command line and breaks its files");
        String bad = Clients.uniqueTopic("unwritable");
        String good = Clients.uniqueTopic("healthy");
        Path failing = dataDir.resolve("logs-a");
        Path healthy = dataDir.resolve("logs-b");
        try (BrokerProcess broker = BrokerProcess.start(dataDir, Map.of("log.dirs", failing + "," + healthy))) {
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                // a new partition goes to the dir with the fewest: the first, then the second
                Clients.createTopic(admin, bad, 1, Map.of("internal.segment.bytes", "1024"));
                Clients.createTopic(admin, good, 1);
                assertTrue(Files.isDirectory(failing.resolve(bad + "-0")));
                assertTrue(Files.isDirectory(healthy.resolve(good + "-0")));
            }
            Map<String, Object> noRetries = Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), noRetries)) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(bad, 0, "k" + i, "stored-" + i)).get(30, TimeUnit.SECONDS);
                }
                Path partitionDir = failing.resolve(bad + "-0");
                Path moved = dataDir.resolve("moved-away");
                Files.move(partitionDir, moved);
                Files.writeString(partitionDir, "not a directory");

                // larger than what is left of the 1024-byte segment: the append must roll, and the roll cannot create
                // its files
                String large = "x".repeat(800);
                for (int attempt = 0; attempt < 2; attempt++) {
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> producer.send(new ProducerRecord<>(bad, 0, "k", large)).get(30, TimeUnit.SECONDS));
                    assertInstanceOf(KafkaStorageException.class, e.getCause(), e.toString());
                }
                assertEquals(0, producer.send(new ProducerRecord<>(good, 0, "k", "v")).get(30, TimeUnit.SECONDS).offset(),
                        "partitions in the other log dir keep working");
                assertEquals(1, producer.send(new ProducerRecord<>(good, 0, "k", "v")).get(30, TimeUnit.SECONDS).offset());
                String output = broker.output();
                assertEquals(1, output.lines().filter(l -> l.contains("I/O error during append") && l.contains(bad + "-0"))
                        .count(), "one log line for the failed partition:\n" + output);
                assertEquals(1, output.lines().filter(l -> l.contains("Stopped serving replicas in dir " + failing)).count(),
                        "one log line for the failed dir:\n" + output);

                broker.stop();
                Files.delete(partitionDir);
                Files.move(moved, partitionDir);
            }
            broker.restart();
            List<ConsumerRecord<String, String>> records = Clients.consume(broker.bootstrap(), new TopicPartition(bad, 0), 0, 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(i, records.get(i).offset());
                assertEquals("stored-" + i, records.get(i).value());
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
                assertEquals(3, producer.send(new ProducerRecord<>(bad, 0, "k", "after")).get(30, TimeUnit.SECONDS).offset(),
                        "the partition is writable again once its directory is");
            }
        }
    }
}
