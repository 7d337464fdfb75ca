package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * kill -9 of a broker process while an acks=1 and an acks=all (idempotent) producer are sending, then the last
 * segment is damaged the way a torn write or a bad disk would: bytes overwritten inside a batch of its tail, and
 * garbage appended after its end. After the restart:
 * <ul>
 *   <li>every acknowledged record before the damaged batch is read back at its offset with its bytes;</li>
 *   <li>nothing from the damaged batch on is served (the Java consumer checks every batch's CRC, check.crcs=true);</li>
 *   <li>the log continues at the damaged batch's base offset.</li>
 * </ul>
 * Sluice only: it runs Sluice's command line in its own JVM.
 */
class CrashRecoveryTest {

    private static final long DEADLINE_MS = 60_000;
    /** Enough to fill more than two 1 MiB segments (the smallest segment.bytes Kafka accepts). */
    private static final int ACKS_BEFORE_KILL = 12_000;
    private static final String PADDING = "x".repeat(200);

    /** An acknowledged record: what the producer sent and the offset the broker gave it. */
    private record Acked(long offset, byte[] value) {
    }

    @Test
    void acknowledgedRecordsBeforeTheDamageSurviveKill9AndCorruption(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "starts Sluice's own command line");
        String topic = Clients.uniqueTopic("crash");
        TopicPartition tp = new TopicPartition(topic, 0);
        ConcurrentMap<Long, Acked> acked = new ConcurrentHashMap<>();
        List<String> ackConflicts = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ackCount = new AtomicInteger();
        BrokerProcess broker = BrokerProcess.start(dataDir);
        List<Thread> senders = new ArrayList<>();
        try {
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                Clients.createTopic(admin, topic, 1, Map.of("segment.bytes", "1048576"));
            }
            for (String acks : List.of("1", "all")) {
                Map<String, Object> overrides = Map.of(ProducerConfig.ACKS_CONFIG, acks,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"),
                        ProducerConfig.LINGER_MS_CONFIG, 2, ProducerConfig.BATCH_SIZE_CONFIG, 16384,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
                KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), overrides);
                Thread sender = new Thread(() -> send(producer, topic, "acks" + acks, stop, acked, ackCount, ackConflicts),
                        "sender-acks-" + acks);
                sender.setDaemon(true);
                senders.add(sender);
                sender.start();
            }
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (ackCount.get() < ACKS_BEFORE_KILL) {
                assertTrue(System.currentTimeMillis() < deadline, "only " + ackCount.get() + " acks within " + DEADLINE_MS + " ms");
                Thread.sleep(20);
            }
            broker.kill9(); // mid-stream: both producers still have requests in flight
            stop.set(true);
            for (Thread sender : senders) {
                sender.join(DEADLINE_MS);
                assertTrue(!sender.isAlive(), sender.getName() + " did not stop");
            }
            assertTrue(ackConflicts.isEmpty(), "two acknowledgements for one offset: " + ackConflicts);

            Path partitionDir = dataDir.resolve("logs").resolve(topic + "-0");
            long damagedBatchBase = damageLastSegment(partitionDir);

            broker.restart();

            String output = broker.output();
            assertTrue(output.contains("Truncating"), "recovery truncated the damaged segment; output:\n" + output);
            List<Acked> expected = acked.values().stream().filter(a -> a.offset() < damagedBatchBase)
                    .sorted((a, b) -> Long.compare(a.offset(), b.offset())).toList();
            assertTrue(expected.size() > ACKS_BEFORE_KILL / 2, "most acknowledged records precede the damage: "
                    + expected.size() + " of " + acked.size() + ", damage at offset " + damagedBatchBase);

            Map<Long, byte[]> served = readAll(broker.bootstrap(), tp, damagedBatchBase);
            for (Acked a : expected) {
                byte[] value = served.get(a.offset());
                assertArrayEquals(a.value(), value, "acknowledged record at offset " + a.offset());
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(),
                    Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                long offset = producer.send(new ProducerRecord<>(topic, 0, "after", "restart"))
                        .get(30, TimeUnit.SECONDS).offset();
                assertEquals(damagedBatchBase, offset, "the log continues where the damage began");
            }
            Map<Long, byte[]> afterAppend = readAll(broker.bootstrap(), tp, damagedBatchBase + 1);
            assertArrayEquals("restart".getBytes(StandardCharsets.UTF_8), afterAppend.get(damagedBatchBase));
        } finally {
            stop.set(true);
            broker.close();
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String prefix, AtomicBoolean stop,
                             ConcurrentMap<Long, Acked> acked, AtomicInteger ackCount, List<String> conflicts) {
        try {
            for (int i = 0; !stop.get(); i++) {
                byte[] value = (prefix + "-" + i + "-" + PADDING).getBytes(StandardCharsets.UTF_8);
                try {
                    producer.send(new ProducerRecord<>(topic, 0, prefix + "-" + i, new String(value, StandardCharsets.UTF_8)),
                            (metadata, exception) -> {
                                if (exception == null) {
                                    Acked previous = acked.putIfAbsent(metadata.offset(), new Acked(metadata.offset(), value));
                                    if (previous != null) {
                                        synchronized (conflicts) {
                                            conflicts.add(metadata.offset() + "");
                                        }
                                    }
                                    ackCount.incrementAndGet();
                                }
                            });
                } catch (RuntimeException e) {
                    // the broker is gone (buffer full, max.block.ms): stop sending
                    if (stop.get()) {
                        break;
                    }
                }
            }
        } finally {
            producer.close(Duration.ZERO);
        }
    }

    /**
     * Overwrites 4 bytes inside the records of a batch in the last quarter of the newest segment (a 32-bit burst:
     * CRC32C detects every one) and appends garbage after the segment's end. Returns the damaged batch's base offset.
     */
    private static long damageLastSegment(Path partitionDir) throws Exception {
        Path segment;
        try (Stream<Path> files = Files.list(partitionDir)) {
            // the newest segment with data (a kill right after a roll can leave the newest one empty)
            segment = files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .filter(p -> p.toFile().length() > 0).max(Path::compareTo).orElseThrow();
        }
        long base;
        int position;
        try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
            assertTrue(records.sizeInBytes() > 0, "the last segment " + segment + " has data");
            FileChannelRecordBatch target = null;
            for (FileChannelRecordBatch batch : records.batches()) {
                target = batch;
                if (batch.position() >= records.sizeInBytes() * 3 / 4 && batch.sizeInBytes() > 70) {
                    break;
                }
            }
            base = target.baseOffset();
            // past the 61-byte v2 batch header, inside the CRC-covered records
            position = target.position() + 61 + Math.min(8, target.sizeInBytes() - 61 - 4);
        }
        Random random = new Random(42);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            byte[] original = new byte[4];
            file.seek(position);
            file.readFully(original);
            byte[] flipped = original.clone();
            for (int i = 0; i < flipped.length; i++) {
                flipped[i] = (byte) ~flipped[i];
            }
            file.seek(position);
            file.write(flipped);
            byte[] garbage = new byte[5000];
            random.nextBytes(garbage);
            file.seek(file.length());
            file.write(garbage);
        }
        return base;
    }

    /**
     * Every record from offset 0 to the log end offset, which must equal {@code expectedEnd}. Fails if any record at or
     * past it is served, or if the consumer meets a batch with a bad CRC (it throws).
     */
    private static Map<Long, byte[]> readAll(String bootstrap, TopicPartition tp, long expectedEnd) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
        Map<Long, byte[]> values = new ConcurrentHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            assertEquals(expectedEnd, end, "log end offset after recovery");
            consumer.seek(tp, 0);
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (consumer.position(tp) < end) {
                if (System.currentTimeMillis() > deadline) {
                    fail("read only up to offset " + consumer.position(tp) + " of " + end + " within " + DEADLINE_MS + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    assertTrue(r.offset() < expectedEnd, "served offset " + r.offset() + " at or after " + expectedEnd);
                    assertNull(values.put(r.offset(), r.value()), "offset " + r.offset() + " served twice");
                }
            }
        }
        return values;
    }
}
