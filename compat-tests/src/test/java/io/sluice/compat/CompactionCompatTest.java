package io.sluice.compat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.InvalidRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A compacted topic ({@code cleanup.policy=compact}) cleaned by the broker's log cleaner while real clients use it: many
 * updates per key shrink to one record per key at its original offset, a consumer from offset 0 sees every key's
 * latest value, and tombstones vanish after {@code delete.retention.ms}. Keyless records are rejected.
 */
class CompactionCompatTest {

    private static final int KEYS = 40;
    private static final int UPDATES = 15;
    private static final int TOMBSTONED = 5;

    @Test
    void compactedTopicKeepsTheLatestValueOfEveryKey(@TempDir Path dataDir) throws Exception {
        try (SluiceCluster cluster = SluiceCluster.start(dataDir, Map.of("log.cleaner.backoff.ms", "100"))) {
            String topic = Clients.uniqueTopic("compacted");
            Clients.createTopic(cluster.admin(), topic, 1, Map.of("cleanup.policy", "compact",
                    "segment.bytes", "1048576", "internal.segment.bytes", "4096", "min.cleanable.dirty.ratio", "0.01",
                    "delete.retention.ms", "2000"));
            TopicPartition tp = new TopicPartition(topic, 0);
            Map<String, Long> latestOffsets = new HashMap<>();
            // batches below the 4096-byte segments of the topic
            try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(),
                    Map.of("batch.size", 1024, "linger.ms", 0))) {
                List<Future<org.apache.kafka.clients.producer.RecordMetadata>> sends = new ArrayList<>();
                List<String> keys = new ArrayList<>();
                for (int u = 0; u < UPDATES; u++) {
                    for (int k = 0; k < KEYS; k++) {
                        keys.add("key-" + k);
                        sends.add(producer.send(new ProducerRecord<>(topic, 0, "key-" + k, "value-" + k + "-" + u)));
                    }
                }
                for (int k = 0; k < TOMBSTONED; k++) {
                    keys.add("key-" + k);
                    sends.add(producer.send(new ProducerRecord<>(topic, 0, "key-" + k, null)));
                }
                // fillers roll the segments holding the updates out of the (never cleaned) active segment
                for (int i = 0; i < 60; i++) {
                    keys.add("filler");
                    sends.add(producer.send(new ProducerRecord<>(topic, 0, "filler", "f".repeat(150) + i)));
                }
                for (int i = 0; i < sends.size(); i++) {
                    latestOffsets.put(keys.get(i), sends.get(i).get(30, TimeUnit.SECONDS).offset());
                }
                ExecutionException keyless = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(topic, 0, null, "no key")).get(30, TimeUnit.SECONDS));
                assertInstanceOf(InvalidRecordException.class, keyless.getCause(), keyless.toString());
            }

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Map<String, List<ConsumerRecord<String, String>>> byKey;
            while (true) {
                byKey = readFromZero(cluster.bootstrap(), tp);
                if (compacted(byKey)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("not compacted within 60 s: " + summary(byKey));
                }
                Thread.sleep(250);
            }
            for (int k = TOMBSTONED; k < KEYS; k++) {
                ConsumerRecord<String, String> r = byKey.get("key-" + k).get(0);
                assertEquals("value-" + k + "-" + (UPDATES - 1), r.value());
                assertEquals(latestOffsets.get("key-" + k), r.offset(), "the latest record keeps its offset");
            }
        }
    }

    /** One record per live key (its latest value) and no tombstoned key left. */
    private static boolean compacted(Map<String, List<ConsumerRecord<String, String>>> byKey) {
        for (int k = 0; k < KEYS; k++) {
            List<ConsumerRecord<String, String>> records = byKey.getOrDefault("key-" + k, List.of());
            if (k < TOMBSTONED ? !records.isEmpty() : records.size() != 1) {
                return false;
            }
            if (k >= TOMBSTONED && !records.get(0).value().equals("value-" + k + "-" + (UPDATES - 1))) {
                throw new AssertionError("key-" + k + " lost its latest value: " + records);
            }
        }
        return true;
    }

    private static String summary(Map<String, List<ConsumerRecord<String, String>>> byKey) {
        StringBuilder sb = new StringBuilder();
        byKey.forEach((k, v) -> sb.append(k).append('=').append(v.size()).append(' '));
        return sb.toString();
    }

    /** Every record from offset 0 to the end offset, by key, with a fresh consumer (check.crcs on). */
    private static Map<String, List<ConsumerRecord<String, String>>> readFromZero(String bootstrap, TopicPartition tp) {
        Map<String, List<ConsumerRecord<String, String>>> byKey = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            consumer.seek(tp, 0);
            long deadline = System.nanoTime() + Clients.DEADLINE.toNanos();
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    fail("read only up to " + consumer.position(tp) + " of " + end);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
                }
            }
        }
        return byKey;
    }
}
