package io.sluice.storage;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.storage.log.LogFileNames;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.idempotent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerStateTest {
    @TempDir
    Path dir;

    @Test
    void duplicateOfAnyOfTheLastFiveBatchesReturnsTheOriginalOffsets() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            LogAppendResult[] results = new LogAppendResult[6];
            for (int i = 0; i < 6; i++) {
                results[i] = ctx.append(idempotent(42L, (short) 0, i * 2, START_MS, 2));
            }
            assertEquals(12, ctx.log.logEndOffset());
            for (int i = 1; i < 6; i++) {
                LogAppendResult dup = ctx.append(idempotent(42L, (short) 0, i * 2, START_MS, 2));
                assertEquals(results[i].firstOffset(), dup.firstOffset());
                assertEquals(results[i].lastOffset(), dup.lastOffset());
            }
            assertEquals(12, ctx.log.logEndOffset(), "duplicates are not written");
            // the sixth-last batch is no longer remembered: its sequence is now out of order
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(42L, (short) 0, 0, START_MS, 2)));
        }
    }

    @Test
    void sequenceGapsAndEpochs() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            // unknown producer: any first sequence is accepted, as Kafka after its state was removed
            ctx.append(idempotent(7L, (short) 3, 10, START_MS, 2));
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(7L, (short) 3, 13, START_MS, 1)));
            ctx.append(idempotent(7L, (short) 3, 12, START_MS, 1));
            assertThrows(InvalidProducerEpochException.class, () -> ctx.append(idempotent(7L, (short) 2, 13, START_MS, 1)));
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(7L, (short) 4, 5, START_MS, 1)));
            ctx.append(idempotent(7L, (short) 4, 0, START_MS, 1));
            List<ProducerStateEntry> producers = ctx.log.activeProducers();
            assertEquals(List.of(new ProducerStateEntry(7L, (short) 4, 0, START_MS, -1, -1L)), producers);
            assertEquals(4, ctx.log.logEndOffset());
        }
    }

    @Test
    void stateIsRebuiltFromTheLogOnLoad() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(512, 100))) {
            LogAppendResult last = null;
            for (int i = 0; i < 10; i++) {
                last = ctx.append(idempotent(99L, (short) 1, i * 3, START_MS, 3));
            }
            ctx.restart();
            LogAppendResult dup = ctx.append(idempotent(99L, (short) 1, 27, START_MS, 3));
            assertEquals(last, dup);
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(99L, (short) 1, 31, START_MS, 1)));
            ctx.append(idempotent(99L, (short) 1, 30, START_MS, 1));
        }
    }

    private static List<Long> snapshotOffsets(Path partitionDir) throws Exception {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".snapshot")).sorted()
                    .map(LogFileNames::offsetFromFileName).toList();
        }
    }

    private static long segmentBase(Path partitionDir, boolean last) throws Exception {
        try (Stream<Path> files = Files.list(partitionDir)) {
            List<Long> bases = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted()
                    .map(LogFileNames::offsetFromFileName).toList();
            return last ? bases.get(bases.size() - 1) : bases.get(0);
        }
    }

    @Test
    void snapshotsAreWrittenAtEveryRollAndAtCleanClose() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(512, 100))) {
            LogAppendResult last = null;
            for (int i = 0; i < 10; i++) {
                last = ctx.append(idempotent(99L, (short) 1, i * 3, START_MS, 3));
            }
            Path partitionDir = ctx.log.dir();
            assertTrue(ctx.log.numberOfSegments() > 2);
            List<Long> atRoll = snapshotOffsets(partitionDir);
            assertEquals(ctx.log.numberOfSegments() - 1, atRoll.size(), "one snapshot per roll: " + atRoll);
            assertEquals(segmentBase(partitionDir, true), atRoll.get(atRoll.size() - 1));
            ctx.manager.close();
            assertEquals(30L, snapshotOffsets(partitionDir).get(snapshotOffsets(partitionDir).size() - 1),
                    "a clean close snapshots the log end offset");
            ctx.start();
            assertEquals(last, ctx.append(idempotent(99L, (short) 1, 27, START_MS, 3)), "a retry after restart is a duplicate");
            assertEquals(30, ctx.log.logEndOffset());
        }
    }

    @Test
    void uncleanStartLoadsTheNewestSnapshotAndReplaysOnlyTheBatchesAfterIt() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(512, 100));
        LogAppendResult last = null;
        for (int i = 0; i < 10; i++) {
            last = ctx.append(idempotent(99L, (short) 1, i * 3, START_MS, 3));
        }
        Path partitionDir = ctx.log.dir();
        long snapshotOffset = segmentBase(partitionDir, true);
        // Proof that the snapshot is what is loaded: a producer that is in the snapshot but nowhere in the log.
        Path snapshot = LogFileNames.producerSnapshotFile(partitionDir, snapshotOffset).toPath();
        byte[] bytes = Files.readAllBytes(snapshot);
        ByteBuffer patched = ByteBuffer.allocate(bytes.length + 46).put(bytes, 0, 6).putInt(ByteBuffer.wrap(bytes).getInt(6) + 1)
                .put(bytes, 10, bytes.length - 10)
                .putLong(12345L).putShort((short) 7).putInt(41).putLong(snapshotOffset - 1).putInt(0).putLong(START_MS)
                .putInt(-1).putLong(-1L);
        CRC32C crc = new CRC32C();
        crc.update(patched.array(), 6, patched.capacity() - 6);
        patched.putInt(2, (int) crc.getValue());
        Files.write(snapshot, patched.array());
        ctx.manager = null; // crash: no clean close, no snapshot at the log end offset

        ctx.start();
        assertEquals(30, ctx.log.logEndOffset());
        assertTrue(ctx.log.activeProducers().contains(new ProducerStateEntry(12345L, (short) 7, 41, START_MS, -1, -1L)),
                "loaded from the snapshot: " + ctx.log.activeProducers());
        assertEquals(last, ctx.append(idempotent(99L, (short) 1, 27, START_MS, 3)), "replayed after the snapshot");
        assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(12345L, (short) 7, 43, START_MS, 1)));
        ctx.append(idempotent(12345L, (short) 7, 42, START_MS, 1));
        ctx.close();
    }

    @Test
    void aCorruptSnapshotIsDeletedAndTheStateRebuiltFromTheLog() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(512, 100));
        LogAppendResult last = null;
        for (int i = 0; i < 10; i++) {
            last = ctx.append(idempotent(99L, (short) 1, i * 3, START_MS, 3));
        }
        ctx.manager.close();
        Path partitionDir = ctx.log.dir();
        for (long offset : snapshotOffsets(partitionDir)) {
            try (RandomAccessFile raf = new RandomAccessFile(LogFileNames.producerSnapshotFile(partitionDir, offset), "rw")) {
                raf.seek(12);
                raf.write(0x5a);
            }
        }
        ctx.start();
        assertEquals(last, ctx.append(idempotent(99L, (short) 1, 27, START_MS, 3)));
        ctx.close();
    }

    @Test
    void snapshotsGoWithTheirSegmentsAndAboveATruncation() throws Exception {
        LogConfig config = LogTestContext.withRetention(LogTestContext.config(512, 100), -1, 1024, 0);
        try (LogTestContext ctx = new LogTestContext(dir, config)) {
            for (int i = 0; i < 20; i++) {
                ctx.append(idempotent(99L, (short) 1, i * 3, START_MS, 3));
            }
            Path partitionDir = ctx.log.dir();
            ctx.log.updateHighWatermark(ctx.log.logEndOffset());
            assertTrue(ctx.log.deleteOldSegments() > 0);
            long first = segmentBase(partitionDir, false);
            assertTrue(snapshotOffsets(partitionDir).stream().allMatch(o -> o >= first), snapshotOffsets(partitionDir)
                    + " from " + first);
            long truncation = snapshotOffsets(partitionDir).get(0) + 3;
            ctx.log.truncateTo(truncation);
            assertTrue(snapshotOffsets(partitionDir).stream().allMatch(o -> o <= ctx.log.logEndOffset()),
                    snapshotOffsets(partitionDir).toString());
        }
    }
}
