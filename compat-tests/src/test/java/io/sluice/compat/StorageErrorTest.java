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
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A log dir that stops accepting writes: the partition's directory is replaced by a plain file while the broker runs,
 * so the next segment roll fails with an I/O error (tests run as root here, so a read-only chmod would not stop
 * writes, and mounting a small full file system needs privileges; this is the portable way to make the disk refuse).
 * The producer gets KAFKA_STORAGE_ERROR for that partition, the broker logs one line for it, other partitions keep
 * working, and what was stored before is intact once the directory is back.
 */
class StorageErrorTest {

    @Test
    void anUnwritablePartitionDirIsAStorageErrorForThatPartitionOnly(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "starts Sluice's own command line and breaks its files");
        String bad = Clients.uniqueTopic("unwritable");
        String good = Clients.uniqueTopic("healthy");
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                Clients.createTopic(admin, bad, 1, Map.of("internal.segment.bytes", "1024"));
                Clients.createTopic(admin, good, 1);
            }
            Map<String, Object> noRetries = Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), noRetries)) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(bad, 0, "k" + i, "stored-" + i)).get(30, TimeUnit.SECONDS);
                }
                Path partitionDir = dataDir.resolve("logs").resolve(bad + "-0");
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
                        "other partitions keep working");
                assertEquals(1, producer.send(new ProducerRecord<>(good, 0, "k", "v")).get(30, TimeUnit.SECONDS).offset());
                String output = broker.output();
                assertEquals(1, output.lines().filter(l -> l.contains("I/O error during append") && l.contains(bad + "-0"))
                        .count(), "one log line for the failed partition:\n" + output);

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
