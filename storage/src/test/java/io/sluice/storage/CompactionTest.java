package io.sluice.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.sluice.storage.LogTestContext.START_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log compaction: last value per key, offsets kept, tombstones after delete.retention.ms, producer state kept. */
class CompactionTest {
    @TempDir
    Path dir;

    private static final long DELETE_RETENTION_MS = 60_000;

    private static LogConfig compacted(LogConfig.Compaction compaction) {
        return LogTestContext.withCompact(LogTestContext.config(1024, 100)).withCompaction(compaction);
    }

    private static LogConfig compacted() {
        return compacted(new LogConfig.Compaction(0.5, 0, Long.MAX_VALUE, DELETE_RETENTION_MS));
    }

    private static MemoryRecords keyed(Compression compression, long timestamp, String key, String value) {
        return MemoryRecords.withRecords(compression, new SimpleRecord(timestamp, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String str(java.nio.ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    private static LogCleaner cleaner(LogTestContext ctx) {
        return new LogCleaner(LogCleaner.Config.DEFAULTS, ctx.time, () -> List.of(ctx.log));
    }

    /** Writes {@code updates} rounds over {@code keys} keys; returns key -> [last offset, last value]. */
    private static Map<String, Object[]> writeUpdates(LogTestContext ctx, int keys, int updates) {
        Map<String, Object[]> latest = new HashMap<>();
        List<Compression> codecs = List.of(Compression.NONE, Compression.lz4().build(), Compression.gzip().build());
        for (int u = 0; u < updates; u++) {
            for (int k = 0; k < keys; k++) {
                String value = "value-" + k + "-" + u;
                LogAppendResult r = ctx.append(keyed(codecs.get((u + k) % codecs.size()), START_MS + u, "key-" + k, value));
                latest.put("key-" + k, new Object[] {r.firstOffset(), value});
            }
        }
        return latest;
    }

    @Test
    void manyUpdatesPerKeyShrinkToOneRecordPerKeyAtTheirOffsets() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, compacted())) {
            Map<String, Object[]> latest = writeUpdates(ctx, 10, 40);
            ctx.append(keyed(Compression.NONE, START_MS, "other", "roll")); // the rest of the active segment
            long end = ctx.log.logEndOffset();
            ctx.log.updateHighWatermark(end);
            long sizeBefore = ctx.log.sizeInBytes();
            int segmentsBefore = ctx.log.numberOfSegments();

            LogCleaner.CleanResult result = cleaner(ctx).clean(ctx.log).orElseThrow();
            assertTrue(result.segmentsRewritten() > 0, result.toString());
            assertTrue(ctx.log.sizeInBytes() < sizeBefore / 5, ctx.log.sizeInBytes() + " of " + sizeBefore);
            assertEquals(segmentsBefore, ctx.log.numberOfSegments());
            assertEquals(end, ctx.log.logEndOffset());

            List<Record> records = ctx.readAll(0);
            Map<String, Record> seen = new HashMap<>();
            long previous = -1;
            for (Record r : records) {
                assertTrue(r.offset() > previous, "offsets increase");
                previous = r.offset();
                if (r.offset() < result.endOffset()) {
                    assertNull(seen.put(str(r.key()), r), "one record per key in the cleaned section: " + str(r.key()));
                } else {
                    seen.put(str(r.key()), r);
                }
            }
            for (Map.Entry<String, Object[]> e : latest.entrySet()) {
                Record r = seen.get(e.getKey());
                assertEquals(e.getValue()[1], str(r.value()), e.getKey());
                assertEquals(e.getValue()[0], r.offset(), "the newest record keeps its offset");
            }

            // gaps between batches are valid after an unclean restart, and nothing is lost
            ctx.manager = null;
            ctx.start();
            assertEquals(end, ctx.log.logEndOffset());
            assertEquals(records.size(), ctx.readAll(0).size());
            assertEquals(records.get(0).offset(), ctx.readAll(0).get(0).offset());
            // reading from an offset in a gap starts at the next record
            long gap = records.get(0).offset() + 1;
            if (gap < records.get(1).offset()) {
                assertEquals(records.get(1).offset(), ctx.readAll(gap).get(0).offset());
            }
            ctx.append(keyed(Compression.NONE, START_MS, "after", "restart"));
            assertEquals(end + 1, ctx.log.logEndOffset());
        }
    }

    @Test
    void tombstonesStayForDeleteRetentionThenVanish() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, compacted())) {
            writeUpdates(ctx, 5, 10);
            ctx.append(keyed(Compression.NONE, START_MS, "key-1", null));
            ctx.append(keyed(Compression.lz4().build(), START_MS, "key-3", null));
            writeUpdates(ctx, 0, 0);
            for (int i = 0; i < 30; i++) {
                ctx.append(keyed(Compression.NONE, START_MS, "filler-" + (i % 3), "x".repeat(50)));
            }
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            LogCleaner cleaner = cleaner(ctx);

            cleaner.clean(ctx.log).orElseThrow();
            Map<String, String> values = new HashMap<>();
            ctx.readAll(0).forEach(r -> values.put(str(r.key()), str(r.value())));
            assertTrue(values.containsKey("key-1") && values.get("key-1") == null, "tombstone still served: " + values);
            assertTrue(values.containsKey("key-3") && values.get("key-3") == null);
            assertEquals("value-0-9", values.get("key-0"));

            ctx.time.advance(DELETE_RETENTION_MS / 2);
            cleaner.clean(ctx.log);
            assertTrue(ctx.readAll(0).stream().anyMatch(r -> "key-1".equals(str(r.key()))), "within delete.retention.ms");

            ctx.time.advance(DELETE_RETENTION_MS);
            assertTrue(cleaner.cleaningScore(ctx.log, ctx.time.milliseconds()) > 1, "a passed horizon forces a cleaning");
            assertTrue(cleaner.cleanFilthiestLog());
            List<Record> after = ctx.readAll(0);
            assertTrue(after.stream().noneMatch(r -> "key-1".equals(str(r.key())) || "key-3".equals(str(r.key()))),
                    "tombstones gone after delete.retention.ms");
            assertTrue(after.stream().anyMatch(r -> "key-0".equals(str(r.key()))));
            assertTrue(cleaner.cleaningScore(ctx.log, ctx.time.milliseconds()) < 0, "nothing left to clean");
        }
    }

    @Test
    void theLastBatchOfAProducerIsKeptEmptySoItsRetryIsStillADuplicate() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, compacted())) {
            MemoryRecords idempotent = MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 0,
                    new SimpleRecord(START_MS, "k".getBytes(StandardCharsets.UTF_8), "old".getBytes(StandardCharsets.UTF_8)));
            LogAppendResult first = ctx.append(idempotent);
            for (int i = 0; i < 60; i++) {
                ctx.append(keyed(Compression.NONE, START_MS, "k", "newer-" + i));
            }
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            cleaner(ctx).clean(ctx.log).orElseThrow();
            assertTrue(ctx.readAll(0).stream().noneMatch(r -> "old".equals(str(r.value()))), "the old value is gone");
            // state from the log only: no snapshots
            ctx.manager.close();
            try (Stream<Path> files = Files.list(ctx.log.dir())) {
                for (Path p : files.filter(p -> p.toString().endsWith(".snapshot")).toList()) {
                    Files.delete(p);
                }
            }
            ctx.start();
            MemoryRecords retry = MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 0,
                    new SimpleRecord(START_MS, "k".getBytes(StandardCharsets.UTF_8), "old".getBytes(StandardCharsets.UTF_8)));
            assertEquals(first.firstOffset(), ctx.append(retry).firstOffset(), "still a duplicate");
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(MemoryRecords.withIdempotentRecords(
                    Compression.NONE, 7L, (short) 0, 5, new SimpleRecord(START_MS, "k".getBytes(StandardCharsets.UTF_8),
                            "x".getBytes(StandardCharsets.UTF_8)))));
        }
    }

    @Test
    void minCompactionLagKeepsYoungRecordsAndTheRatioGatesCleaning() throws Exception {
        LogConfig config = compacted(new LogConfig.Compaction(0.5, 3_600_000L, Long.MAX_VALUE, DELETE_RETENTION_MS));
        try (LogTestContext ctx = new LogTestContext(dir, config)) {
            // timestamps are the clock's: young records
            for (int i = 0; i < 100; i++) {
                ctx.append(keyed(Compression.NONE, ctx.time.milliseconds(), "key-" + (i % 3), "v" + i));
            }
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            LogCleaner cleaner = cleaner(ctx);
            assertTrue(cleaner.cleaningScore(ctx.log, ctx.time.milliseconds()) < 0, "younger than min.compaction.lag.ms");
            assertEquals(0, cleaner.clean(ctx.log).orElseThrow().segmentsRewritten());
            assertEquals(100, ctx.readAll(0).size());
            ctx.time.advance(3_600_001L);
            assertTrue(cleaner.cleaningScore(ctx.log, ctx.time.milliseconds()) >= 0.5);
            assertTrue(cleaner.cleanFilthiestLog());
            assertTrue(ctx.readAll(0).size() < 100);
            assertTrue(cleaner.cleaningScore(ctx.log, ctx.time.milliseconds()) < 0, "clean now: ratio 0");
        }
    }

    @Test
    void aCleanedSegmentLeftAsASwapFileByACrashIsCompletedOnLoad() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, compacted());
        writeUpdates(ctx, 4, 30);
        ctx.append(keyed(Compression.NONE, START_MS, "other", "roll"));
        ctx.log.updateHighWatermark(ctx.log.logEndOffset());
        Path partitionDir = ctx.log.dir();
        ctx.manager.close();
        Path first = partitionDir.resolve("00000000000000000000.log");
        byte[] uncleaned = Files.readAllBytes(first);

        ctx.start();
        ctx.log.updateHighWatermark(ctx.log.logEndOffset());
        cleaner(ctx).clean(ctx.log).orElseThrow();
        List<Record> cleaned = ctx.readAll(0);
        ctx.manager.close();
        // the state after "rename .cleaned to .swap" and before "rename .swap over the old segment"
        Files.move(first, partitionDir.resolve("00000000000000000000.log.swap"));
        Files.write(first, uncleaned);
        ctx.manager = null;
        Files.deleteIfExists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE));

        ctx.start();
        assertTrue(Files.notExists(partitionDir.resolve("00000000000000000000.log.swap")));
        List<Record> loaded = ctx.readAll(0);
        assertEquals(cleaned.size(), loaded.size());
        for (int i = 0; i < cleaned.size(); i++) {
            assertEquals(cleaned.get(i).offset(), loaded.get(i).offset());
            assertEquals(str(cleaned.get(i).value()), str(loaded.get(i).value()));
        }
        ctx.close();
    }
}
