package io.sluice.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryTest {
    @TempDir
    Path dir;

    @Test
    void cleanShutdownWritesMarkerAndCheckpoints() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100));
        for (int i = 0; i < 30; i++) {
            ctx.append(batch(Compression.NONE, START_MS + i, 2));
        }
        ctx.log.updateHighWatermark(40);
        ctx.log.deleteRecordsBefore(3);
        ctx.manager.close();
        assertTrue(Files.exists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        List<String> hw = Files.readAllLines(dir.resolve("replication-offset-checkpoint"));
        assertEquals(List.of("0", "1", "my-topic 0 40"), hw);
        assertEquals(List.of("0", "1", "my-topic 0 60"), Files.readAllLines(dir.resolve("recovery-point-offset-checkpoint")));
        assertEquals(List.of("0", "1", "my-topic 0 3"), Files.readAllLines(dir.resolve("log-start-offset-checkpoint")));
        assertTrue(Files.readString(ctx.log.dir().resolve("partition.metadata")).startsWith("version: 0\ntopic_id: "));

        ctx.start();
        assertFalse(Files.exists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "marker removed while running");
        assertEquals(60, ctx.log.logEndOffset());
        assertEquals(40, ctx.log.highWatermark());
        assertEquals(3, ctx.log.logStartOffset());
        assertEquals(LogTestContext.TOPIC_ID, ctx.log.topicId());
        assertEquals(57, ctx.readAll(3).size());
        ctx.append(batch(Compression.NONE, START_MS, 1));
        assertEquals(61, ctx.log.logEndOffset());
        ctx.close();
    }

    /**
     * The marker names the broker epoch it ends (KIP-966's clean-shutdown detection): read back at the next start, and
     * -1 after a crash, for a new log dir, or for a marker without one.
     */
    @Test
    void theMarkerCarriesTheBrokerEpochOfACleanShutdownOnly() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100));
        assertEquals(-1L, ctx.manager.previousBrokerEpoch(), "a new log dir");
        ctx.manager.setBrokerEpoch(4711L);
        ctx.manager.close();
        assertEquals("{\"version\":0,\"brokerEpoch\":4711}", Files.readString(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        ctx.start();
        assertEquals(4711L, ctx.manager.previousBrokerEpoch());
        crash(ctx);
        ctx.start();
        assertEquals(-1L, ctx.manager.previousBrokerEpoch(), "after a crash");
        ctx.close();
        Files.writeString(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE), "{\"version\":0,\"brokerEpoch\":-1}");
        ctx.start();
        assertEquals(-1L, ctx.manager.previousBrokerEpoch(), "a marker without an epoch");
        ctx.close();
    }

    /** Kills the log without closing it: no marker, indexes not trimmed. */
    private static void crash(LogTestContext ctx) {
        // Not closing the manager leaves files as a crash would (the OS keeps what was written).
        ctx.manager = null;
        ctx.log = null;
    }

    @Test
    void tornTailIsTruncatedOnUncleanStart() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(4096, 100));
        for (int i = 0; i < 20; i++) {
            ctx.append(batch(Compression.NONE, START_MS + i, 2));
        }
        Path active = activeSegment(ctx);
        crash(ctx);
        long size = Files.size(active);
        try (RandomAccessFile raf = new RandomAccessFile(active.toFile(), "rw")) {
            raf.setLength(size - 7); // torn last batch
        }
        ctx.start();
        assertEquals(38, ctx.log.logEndOffset());
        assertEquals(38, ctx.readAll(0).size());
        ctx.append(batch(Compression.NONE, START_MS, 1));
        assertEquals(39, ctx.readAll(0).size());
        ctx.close();
    }

    @Test
    void garbageAtRandomPositionsTruncatesAtTheFirstBadBatch() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            Path roundDir = dir.resolve("round-" + round);
            LogTestContext ctx = new LogTestContext(roundDir, LogTestContext.config(64 * 1024, 200));
            List<Compression> codecs = List.of(Compression.NONE, Compression.gzip().build(), Compression.zstd().build());
            for (int i = 0; i < 40; i++) {
                ctx.append(batch(codecs.get(i % 3), START_MS + i, 1 + i % 4));
            }
            long endBefore = ctx.log.logEndOffset();
            Path segment = activeSegment(ctx);
            crash(ctx);
            long size = Files.size(segment);
            long position = (long) (random.nextDouble() * size);
            try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw")) {
                raf.seek(position);
                byte[] garbage = new byte[1 + random.nextInt(16)];
                random.nextBytes(garbage);
                raf.write(garbage);
            }
            ctx.start();
            long end = ctx.log.logEndOffset();
            assertTrue(end <= endBefore, "round " + round);
            List<Record> records = ctx.readAll(0);
            assertEquals(end, records.size(), "round " + round + ": every remaining record readable");
            for (int i = 0; i < records.size(); i++) {
                assertEquals(i, records.get(i).offset());
                assertTrue(StandardCharsets.UTF_8.decode(records.get(i).value()).toString().startsWith("value-"));
            }
            // and the log keeps working
            LogAppendResult r = ctx.append(batch(Compression.NONE, START_MS, 2));
            assertEquals(end, r.firstOffset());
            ctx.close();
        }
    }

    @Test
    void missingOrCorruptIndexesAreRebuilt() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 50));
        for (int i = 0; i < 40; i++) {
            ctx.append(batch(Compression.NONE, START_MS + i, 2));
        }
        Path logDir = ctx.log.dir();
        ctx.manager.close();
        Files.delete(logDir.resolve("00000000000000000000.index"));
        Files.write(logDir.resolve("00000000000000000000.timeindex"), new byte[]{1, 2, 3});
        ctx.start();
        assertEquals(80, ctx.log.logEndOffset());
        for (long offset = 0; offset < 80; offset += 9) {
            assertEquals(offset, ctx.readAll(offset).get(0).offset());
        }
        // batch i holds offsets 2i, 2i+1 with timestamps START_MS + i, + i + 1
        assertEquals(9, ctx.log.offsetForTimestamp(START_MS + 5).get().offset());
        ctx.close();
    }

    @Test
    void recoveryPointCheckpointBoundsTheScan() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100));
        for (int i = 0; i < 40; i++) {
            ctx.append(batch(Compression.NONE, START_MS + i, 2));
        }
        ctx.manager.checkpoint();
        long recoveryPoint = ctx.log.recoveryPoint();
        assertTrue(recoveryPoint > 0 && recoveryPoint < 80, "rolled segments are flushed: " + recoveryPoint);
        crash(ctx);
        ctx.start();
        assertEquals(80, ctx.log.logEndOffset());
        assertEquals(80, ctx.log.recoveryPoint());
        ctx.close();
    }

    private static Path activeSegment(LogTestContext ctx) throws Exception {
        try (var files = Files.list(ctx.log.dir())) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

}
