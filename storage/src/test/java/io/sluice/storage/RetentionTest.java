package io.sluice.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionTest {
    @TempDir
    Path dir;

    private static List<String> files(Path partitionDir, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(partitionDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void retentionByTimeDeletesOldSegmentsBelowTheHighWatermark() throws Exception {
        LogConfig cfg = LogTestContext.withRetention(LogTestContext.config(1024, 100), 60_000L, -1L, 0L);
        try (LogTestContext ctx = new LogTestContext(dir, cfg)) {
            for (int i = 0; i < 30; i++) {
                ctx.append(batch(Compression.NONE, START_MS - 120_000 + i, 2)); // old records
            }
            int segments = ctx.log.numberOfSegments();
            assertTrue(segments > 2);
            assertEquals(0, ctx.manager.runRetention(), "nothing is deleted above the high watermark");
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            assertEquals(segments, ctx.manager.runRetention(), "every segment, the active one after a roll");
            assertEquals(60, ctx.log.logStartOffset());
            assertEquals(1, ctx.log.numberOfSegments());
            assertEquals(List.of("00000000000000000060.log"), files(ctx.log.dir(), ".log"));
            assertThrows(OffsetOutOfRangeException.class, () -> ctx.log.read(0, 100, Long.MAX_VALUE, true));
            ctx.append(batch(Compression.NONE, START_MS, 1));
            assertEquals(60, ctx.readAll(60).get(0).offset());
        }
    }

    @Test
    void retentionBySizeKeepsTheNewestSegments() throws Exception {
        LogConfig cfg = LogTestContext.withRetention(LogTestContext.config(1024, 100), -1L, 2048L, 0L);
        try (LogTestContext ctx = new LogTestContext(dir, cfg)) {
            for (int i = 0; i < 60; i++) {
                ctx.append(batch(Compression.NONE, START_MS + i, 2));
            }
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            assertTrue(ctx.manager.runRetention() > 0);
            assertTrue(ctx.log.sizeInBytes() <= 2048 + 1024, "size " + ctx.log.sizeInBytes());
            assertTrue(ctx.log.sizeInBytes() > 2048 - 1024);
            assertEquals(120, ctx.log.logEndOffset());
            assertEquals(120 - ctx.log.logStartOffset(), ctx.readAll(ctx.log.logStartOffset()).size());
        }
    }

    @Test
    void deletedFilesWaitForFileDeleteDelay() throws Exception {
        LogConfig cfg = LogTestContext.withRetention(LogTestContext.config(1024, 100), -1L, -1L, 300L);
        try (LogTestContext ctx = new LogTestContext(dir, cfg)) {
            for (int i = 0; i < 30; i++) {
                ctx.append(batch(Compression.NONE, START_MS + i, 2));
            }
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            long newStart = ctx.log.deleteRecordsBefore(40);
            assertEquals(40, newStart);
            assertEquals(40, ctx.log.logStartOffset());
            assertTrue(!files(ctx.log.dir(), ".log.deleted").isEmpty(), "renamed first");
            assertTrue(!files(ctx.log.dir(), ".index.deleted").isEmpty());
            long deadline = System.currentTimeMillis() + 10_000;
            while (!files(ctx.log.dir(), ".deleted").isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(List.of(), files(ctx.log.dir(), ".deleted"));
            assertEquals(20, ctx.readAll(40).size());
            // DeleteRecords bounds
            assertThrows(OffsetOutOfRangeException.class, () -> ctx.log.deleteRecordsBefore(61));
            assertEquals(40, ctx.log.deleteRecordsBefore(10));
            assertEquals(60, ctx.log.deleteRecordsBefore(-1)); // -1: the high watermark
        }
    }

    @Test
    void scheduledRetentionRuns() throws Exception {
        LogConfig cfg = LogTestContext.withRetention(LogTestContext.config(1024, 100), 1_000L, -1L, 0L);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (LogTestContext ctx = new LogTestContext(dir, cfg)) {
            for (int i = 0; i < 30; i++) {
                ctx.append(batch(Compression.NONE, START_MS, 2));
            }
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            ctx.time.advance(5_000);
            ctx.manager.startRetention(scheduler, 20);
            long deadline = System.currentTimeMillis() + 10_000;
            Path checkpoint = dir.resolve("log-start-offset-checkpoint");
            while ((ctx.log.logStartOffset() != 60 || !Files.exists(checkpoint)) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(60, ctx.log.logStartOffset());
            assertTrue(Files.exists(checkpoint), "checkpoints written after the deletion");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
