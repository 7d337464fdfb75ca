package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The log's time index, retention, deletion and flush policy seen from outside a running broker, with Kafka's tools and
 * clients: {@code kafka-get-offsets --time <timestamp>} across many segments, {@code retention.bytes} and
 * {@code retention.ms} deleting the oldest segments (renamed {@code .deleted}, removed after
 * {@code file.delete.delay.ms}), {@code segment.ms} rolling by record timestamps, DeleteRecords followed by the deletion
 * of the segments below the new log start offset, and {@code flush.messages} / {@code flush.ms} moving the recovery
 * point that the broker checkpoints.
 *
 * <p>Segments are made small with the hidden {@code internal.segment.bytes} topic config (Kafka 4.x refuses
 * {@code segment.bytes} below 1 MiB but honours this one for tests). The broker checks retention every 250 ms
 * ({@code log.retention.check.interval.ms}); every wait is a bounded poll. The tests that depend on that broker setting
 * do not run against Apache Kafka ({@code -Dcompat.broker=kafka} starts it with its defaults).
 */
class LogRetentionCompatTest {

    private static final long RETENTION_CHECK_MS = 250;

    @TempDir
    static Path dataDir;
    private static SluiceCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = SluiceCluster.start(dataDir, Map.of("log.retention.check.interval.ms", String.valueOf(RETENTION_CHECK_MS)));
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // kafka-get-offsets --time

    @Test
    void getOffsetsByTimestampFindsTheFirstOffsetAtOrAfterItInEverySegment() throws Exception {
        String topic = Clients.uniqueTopic("get-offsets-time");
        TopicPartition tp = new TopicPartition(topic, 0);
        // 2 KiB segments hold about seven 250-byte batches; index.interval.bytes 256 puts time index entries inside
        // each segment too, so a lookup goes through the index and then scans.
        Clients.createTopic(admin, topic, 1, Map.of("segment.bytes", "1048576", "internal.segment.bytes", "2048",
                "index.interval.bytes", "256"));
        int count = 60;
        long t0 = (System.currentTimeMillis() - 3_600_000L) / 1000 * 1000;
        long[] timestamps = new long[count];
        for (int i = 0; i < count; i++) {
            timestamps[i] = t0 + 1000L * i;
        }
        produce(topic, timestamps, 200);

        List<Long> bases = segmentBaseOffsets(topic);
        assertTrue(bases.size() >= 5, "the records span several segments: " + bases);

        // between two records (and at a record's own timestamp): the first offset whose timestamp is >= the one asked
        List<Long> probes = new ArrayList<>(List.of(0L, 1L, 30L, (long) count - 1));
        for (long base : bases) {
            probes.add(base);
            if (base > 0) {
                probes.add(base - 1);
            }
        }
        for (long offset : probes.stream().distinct().sorted().toList()) {
            int i = (int) offset;
            assertEquals(offset, offsetForTime(topic, timestamps[i] - 500), "between records " + (i - 1) + " and " + i);
            assertEquals(offset, offsetForTime(topic, timestamps[i]), "at the timestamp of record " + i);
            if (i + 1 < count) {
                assertEquals(offset + 1, offsetForTime(topic, timestamps[i] + 1), "just after record " + i);
            }
        }
        assertEquals(0L, offsetForTime(topic, 0), "a timestamp before every record: the first offset");
        // Kafka answers offset -1 when no record is that recent, and kafka-get-offsets then prints no line for the
        // partition
        KafkaTools.Result pastTheEnd = KafkaTools.run(KafkaTools.GET_OFFSETS, "--bootstrap-server", cluster.bootstrap(),
                "--topic-partitions", topic + ":0", "--time", String.valueOf(timestamps[count - 1] + 1))
                .assertSuccess("kafka-get-offsets --time <after the last record>");
        assertEquals("", pastTheEnd.stdout().strip(), "past the last record's timestamp: no offset");
        assertEquals(-1L, listOffset(tp, OffsetSpec.forTimestamp(timestamps[count - 1] + 1)), "ListOffsets answers -1");

        assertEquals(String.valueOf(count), getOffsets(topic, "-1"), "--time -1 (latest)");
        assertEquals("0", getOffsets(topic, "-2"), "--time -2 (earliest)");
        assertEquals(String.valueOf(count - 1), getOffsets(topic, "-3"), "--time -3 (max-timestamp): the last record");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // retention.bytes, file.delete.delay.ms, log.retention.check.interval.ms

    @Test
    void retentionBytesDeletesTheOldestSegmentsThroughDotDeletedFiles() throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "needs a short log.retention.check.interval.ms on the broker");
        String topic = Clients.uniqueTopic("retention-bytes");
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(admin, topic, 1, Map.of("segment.bytes", "1048576", "internal.segment.bytes", "1024",
                "file.delete.delay.ms", "3000"));
        int count = 40;
        produce(topic, recentTimestamps(count), 200);
        List<Long> basesBefore = segmentBaseOffsets(topic);
        assertTrue(basesBefore.size() >= 8, "the records span many segments: " + basesBefore);
        assertEquals(0L, listOffset(tp, OffsetSpec.earliest()));
        assertEquals(List.of(), deletedFiles(topic), "nothing is deleted without a retention limit");

        long retentionBytes = 3000;
        setTopicConfig(topic, "retention.bytes", String.valueOf(retentionBytes));

        // within file.delete.delay.ms (3 s) of the retention pass, the segments are there as .deleted files
        Clients.waitUntil("retention renames segments of " + topic + " to .deleted", () -> !deletedFiles(topic).isEmpty());
        Clients.waitUntil("ListOffsets earliest of " + topic + " moves forward", () -> listOffsetUnchecked(tp) > 0);
        long earliest = listOffset(tp, OffsetSpec.earliest());
        List<Long> bases = segmentBaseOffsets(topic);
        assertEquals(earliest, (long) bases.get(0), "the log starts at its first remaining segment: " + bases);
        assertTrue(basesBefore.containsAll(bases), basesBefore + " -> " + bases);
        for (Path deleted : deletedFiles(topic)) {
            long base = Long.parseLong(deleted.getFileName().toString().split("\\.")[0]);
            assertTrue(base < earliest, deleted + " is below the log start offset " + earliest);
        }
        Clients.waitUntil(".deleted files of " + topic + " are removed after file.delete.delay.ms",
                () -> deletedFiles(topic).isEmpty());

        // Kafka's rule: drop the oldest segments while what is left is still at least retention.bytes
        long size = logBytes(topic);
        long firstSize = Files.size(partitionDir(topic).resolve(String.format("%020d.log", bases.get(0))));
        assertTrue(size >= retentionBytes, "kept " + size + " bytes for retention.bytes " + retentionBytes);
        assertTrue(size - firstSize < retentionBytes, "dropping one more segment would still leave " + retentionBytes
                + " bytes: " + size + " - " + firstSize);

        assertEquals(count, listOffset(tp, OffsetSpec.latest()), "retention keeps the log end offset");
        List<ConsumerRecord<String, String>> left = Clients.consume(cluster.bootstrap(), tp, earliest,
                (int) (count - earliest));
        for (ConsumerRecord<String, String> r : left) {
            assertEquals(value(r.offset(), 200), r.value(), "record at offset " + r.offset());
        }
        assertEquals(earliest, left.get(0).offset());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // retention.ms

    @Test
    void retentionMsDeletesSegmentsOfOldRecordsThenEvenTheActiveOne() throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "needs a short log.retention.check.interval.ms on the broker");
        String topic = Clients.uniqueTopic("retention-ms");
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(admin, topic, 1, Map.of("segment.bytes", "1048576", "internal.segment.bytes", "1024",
                "file.delete.delay.ms", "500"));
        int old = 12;
        int recent = 12;
        long now = System.currentTimeMillis();
        long[] timestamps = new long[old + recent];
        for (int i = 0; i < timestamps.length; i++) {
            // two hours old, then now
            timestamps[i] = i < old ? now - 7_200_000L + i : now + i;
        }
        produce(topic, timestamps, 200);
        // the first segment holding a recent record is the first one retention.ms keeps (its largest timestamp is new)
        long firstKept = segmentBaseOffsets(topic).stream().filter(b -> b <= old).max(Long::compare).orElseThrow();
        assertTrue(firstKept > 0, "some segments hold only old records");

        setTopicConfig(topic, "retention.ms", "3600000");
        Clients.waitUntil("retention.ms moves the log start offset of " + topic + " to " + firstKept,
                () -> listOffsetUnchecked(tp) == firstKept);
        Clients.waitUntil("the segments below " + firstKept + " are removed", () -> {
            List<Long> bases = segmentBaseOffsets(topic);
            return bases.get(0) == firstKept && deletedFiles(topic).isEmpty();
        });
        List<ConsumerRecord<String, String>> left = Clients.consume(cluster.bootstrap(), tp, firstKept,
                (int) (old + recent - firstKept));
        assertEquals(firstKept, left.get(0).offset());
        assertEquals(value(firstKept, 200), left.get(0).value());

        // every record is now older than 1 ms: Kafka rolls the active segment and deletes them all
        setTopicConfig(topic, "retention.ms", "1");
        long end = old + recent;
        Clients.waitUntil("retention.ms=1 empties " + topic, () -> listOffsetUnchecked(tp) == end);
        assertEquals(end, listOffset(tp, OffsetSpec.latest()), "the log end offset stays");
        Clients.waitUntil("only an empty active segment at " + end + " is left",
                () -> segmentBaseOffsets(topic).equals(List.of(end)) && deletedFiles(topic).isEmpty());

        // a timestamp half an hour ahead (message.timestamp.after.max.ms allows one hour) is not 1 ms old yet
        produce(topic, new long[] {System.currentTimeMillis() + 1_800_000L}, 10, (int) end);
        List<ConsumerRecord<String, String>> after = Clients.consume(cluster.bootstrap(), tp, end, 1);
        assertEquals(end, after.get(0).offset(), "appends continue at the log end offset");
        assertEquals(end, listOffset(tp, OffsetSpec.earliest()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // segment.ms

    @Test
    void segmentMsRollsWhenARecordIsThatMuchNewerThanTheSegmentsFirst() throws Exception {
        String topic = Clients.uniqueTopic("segment-ms");
        Clients.createTopic(admin, topic, 1, Map.of("segment.ms", "60000"));
        long t = (System.currentTimeMillis() - 600_000L) / 1000 * 1000;
        // Kafka rolls when the new batch's timestamp is more than segment.ms after the segment's first batch
        produce(topic, new long[] {t, t + 30_000, t + 60_000}, 10);
        assertEquals(List.of(0L), segmentBaseOffsets(topic), "no record is more than segment.ms after the first");
        produce(topic, new long[] {t + 60_001}, 10, 3);
        assertEquals(List.of(0L, 3L), segmentBaseOffsets(topic), "a record segment.ms + 1 after the first rolls");
        produce(topic, new long[] {t + 100_000, t + 120_002}, 10, 4);
        assertEquals(List.of(0L, 3L, 5L), segmentBaseOffsets(topic), "the new segment counts from its own first record");
        assertEquals("6", getOffsets(topic, "-1"));
        assertEquals("3", getOffsets(topic, String.valueOf(t + 60_000 + 1)), "the time index of the new segment");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // DeleteRecords, then retention removes the segments below the log start offset

    @Test
    void deleteRecordsMovesEarliestAndRetentionRemovesTheSegmentsBelowIt() throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "needs a short log.retention.check.interval.ms on the broker");
        String topic = Clients.uniqueTopic("delete-records-segments");
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(admin, topic, 1, Map.of("segment.bytes", "1048576", "internal.segment.bytes", "1024",
                "file.delete.delay.ms", "500", "retention.ms", "-1"));
        int count = 30;
        produce(topic, recentTimestamps(count), 200);
        List<Long> bases = segmentBaseOffsets(topic);
        assertTrue(bases.size() >= 4, bases.toString());
        long target = bases.get(2) + 1; // inside the third segment
        long lowWatermark = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(target))).lowWatermarks().get(tp)
                .get(30, TimeUnit.SECONDS).lowWatermark();
        assertEquals(target, lowWatermark);
        assertEquals(String.valueOf(target), getOffsets(topic, "-2"), "kafka-get-offsets --time -2 follows DeleteRecords");

        Clients.waitUntil("the segments entirely below " + target + " are deleted", () -> {
            List<Long> now = segmentBaseOffsets(topic);
            return now.get(0).equals(bases.get(2)) && deletedFiles(topic).isEmpty();
        });
        // the segment holding the log start offset stays; earliest is still the DeleteRecords offset, not its base
        assertEquals(target, listOffset(tp, OffsetSpec.earliest()));
        assertEquals(String.valueOf(target), getOffsets(topic, "0"),
                "a timestamp before every record: the log start offset");
        List<ConsumerRecord<String, String>> left = Clients.consume(cluster.bootstrap(), tp, target, 1);
        assertEquals(value(target, 200), left.get(0).value());

        cluster.restart();
        admin = cluster.admin();
        assertEquals(target, listOffset(tp, OffsetSpec.earliest()), "the log start offset survives a restart");
        assertEquals(count, listOffset(tp, OffsetSpec.latest()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // flush.messages, flush.ms

    @Test
    void flushMessagesAndFlushMsMoveTheCheckpointedRecoveryPoint() throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "Kafka checkpoints recovery points every 60 s by default");
        String everyMessage = Clients.uniqueTopic("flush-messages");
        String byTime = Clients.uniqueTopic("flush-ms");
        String osDefault = Clients.uniqueTopic("flush-default");
        Clients.createTopic(admin, everyMessage, 1, Map.of("flush.messages", "1"));
        Clients.createTopic(admin, byTime, 1, Map.of("flush.ms", "100"));
        Clients.createTopic(admin, osDefault, 1);
        for (String topic : List.of(everyMessage, byTime, osDefault)) {
            produce(topic, recentTimestamps(5), 50);
        }
        // the broker writes recovery-point-offset-checkpoint with its periodic checkpoint (here every 250 ms)
        Clients.waitUntil("the checkpointed recovery points of " + everyMessage + " and " + byTime + " reach 5",
                () -> recoveryPoint(everyMessage).equals(Optional.of(5L)) && recoveryPoint(byTime).equals(Optional.of(5L)));
        // the default leaves flushing to the OS, as Kafka: nothing below the active segment was fsynced by the broker
        assertEquals(Optional.of(0L), recoveryPoint(osDefault));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static long[] recentTimestamps(int count) {
        long now = System.currentTimeMillis();
        long[] timestamps = new long[count];
        for (int i = 0; i < count; i++) {
            timestamps[i] = now + i;
        }
        return timestamps;
    }

    private static String value(long offset, int size) {
        String prefix = String.format("v%05d-", offset);
        return prefix + "x".repeat(Math.max(0, size - prefix.length()));
    }

    private static void produce(String topic, long[] timestamps, int valueSize) throws Exception {
        produce(topic, timestamps, valueSize, 0);
    }

    /** One batch per record (each send waits for its answer), values {@link #value} of the offsets from {@code first}. */
    private static void produce(String topic, long[] timestamps, int valueSize, int first) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(), Map.of("linger.ms", 0))) {
            for (int i = 0; i < timestamps.length; i++) {
                long offset = first + i;
                long written = producer.send(new ProducerRecord<>(topic, 0, timestamps[i], "k" + offset,
                        value(offset, valueSize))).get(30, TimeUnit.SECONDS).offset();
                assertEquals(offset, written);
            }
        }
    }

    private static void setTopicConfig(String topic, String name, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }

    private static long listOffset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
    }

    private static long listOffsetUnchecked(TopicPartition tp) {
        try {
            return listOffset(tp, OffsetSpec.earliest());
        } catch (Exception e) {
            throw new AssertionError("ListOffsets earliest of " + tp, e);
        }
    }

    /** What {@code kafka-get-offsets --topic-partitions <topic>:0 --time <time>} prints after {@code <topic>:0:}. */
    private static String getOffsets(String topic, String time) {
        KafkaTools.Result result = KafkaTools.run(KafkaTools.GET_OFFSETS, "--bootstrap-server", cluster.bootstrap(),
                "--topic-partitions", topic + ":0", "--time", time).assertSuccess("kafka-get-offsets --time " + time);
        List<String> lines = Arrays.stream(result.stdout().split("\n")).map(String::strip).filter(s -> !s.isEmpty())
                .toList();
        assertEquals(1, lines.size(), result.stdout());
        String prefix = topic + ":0:";
        assertTrue(lines.get(0).startsWith(prefix), result.stdout());
        return lines.get(0).substring(prefix.length());
    }

    private static long offsetForTime(String topic, long timestamp) {
        return Long.parseLong(getOffsets(topic, String.valueOf(timestamp)));
    }

    private static Path partitionDir(String topic) {
        return Stream.of("logs", "kafka-logs").map(d -> cluster.dataDir().resolve(d).resolve(topic + "-0"))
                .filter(Files::isDirectory).findFirst()
                .orElseThrow(() -> new AssertionError("no directory for " + topic + "-0 under " + cluster.dataDir()));
    }

    private static List<String> fileNames(String topic) {
        try (Stream<Path> files = Files.list(partitionDir(topic))) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Base offsets of the segments ({@code <offset>.log} files, not {@code .deleted} ones), in order. */
    private static List<Long> segmentBaseOffsets(String topic) {
        return fileNames(topic).stream().filter(n -> n.matches("\\d{20}\\.log"))
                .map(n -> Long.parseLong(n.substring(0, 20))).sorted().toList();
    }

    private static List<Path> deletedFiles(String topic) {
        Path dir = partitionDir(topic);
        return fileNames(topic).stream().filter(n -> n.endsWith(".deleted")).map(dir::resolve).toList();
    }

    private static long logBytes(String topic) throws IOException {
        long total = 0;
        for (long base : segmentBaseOffsets(topic)) {
            try {
                total += Files.size(partitionDir(topic).resolve(String.format("%020d.log", base)));
            } catch (NoSuchFileException e) {
                throw new AssertionError("segment " + base + " of " + topic + " vanished while sizing the log", e);
            }
        }
        return total;
    }

    /** The partition's line in the broker's {@code recovery-point-offset-checkpoint}, if the file lists it. */
    private static Optional<Long> recoveryPoint(String topic) {
        Path file = partitionDir(topic).getParent().resolve("recovery-point-offset-checkpoint");
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            return Files.readAllLines(file).stream().map(l -> l.split(" ")).filter(f -> f.length == 3)
                    .filter(f -> f[0].equals(topic) && f[1].equals("0")).map(f -> Long.parseLong(f[2])).findFirst();
        } catch (NoSuchFileException e) {
            return Optional.empty(); // replaced by a rename at this instant
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
