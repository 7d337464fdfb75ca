package io.sluice.storage;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionLogTest {
    @TempDir
    Path dir;

    @Test
    void appendAssignsOffsetsAndLeaderEpoch() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            LogAppendResult first = ctx.append(batch(Compression.NONE, START_MS, 3));
            LogAppendResult second = ctx.append(batch(Compression.NONE, START_MS, 2));
            assertEquals(new LogAppendResult(0, 2, -1, 0, 3), first);
            assertEquals(new LogAppendResult(3, 4, -1, 0, 2), second);
            assertEquals(5, ctx.log.logEndOffset());
            List<Record> records = ctx.readAll(0);
            assertEquals(5, records.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(i, records.get(i).offset());
            }
            FetchDataInfo info = ctx.log.read(3, 1 << 20, Long.MAX_VALUE, true);
            try (FileRecords file = FileRecords.open(info.file(), false)) {
                RecordBatch b = file.slice((int) info.position(), info.sizeInBytes()).batches().iterator().next();
                assertEquals(5, b.partitionLeaderEpoch());
                assertEquals(3, b.baseOffset());
                assertTrue(b.isValid());
            }
        }
    }

    @Test
    void segmentsRollBySizeAndReadsCrossThem() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100))) {
            for (int i = 0; i < 50; i++) {
                ctx.append(batch(Compression.NONE, START_MS + i, 2));
            }
            assertTrue(ctx.log.numberOfSegments() > 3, "segments: " + ctx.log.numberOfSegments());
            assertTrue(Files.exists(ctx.log.dir().resolve("00000000000000000000.log")));
            assertTrue(Files.exists(ctx.log.dir().resolve("00000000000000000000.index")));
            assertTrue(Files.exists(ctx.log.dir().resolve("00000000000000000000.timeindex")));
            // inactive segments have trimmed indexes, the active one is preallocated
            assertTrue(Files.size(ctx.log.dir().resolve("00000000000000000000.index")) < 1024);
            List<Record> all = ctx.readAll(0);
            assertEquals(100, all.size());
            for (int offset = 0; offset < 100; offset += 7) {
                assertEquals(offset, ctx.readAll(offset).get(0).offset(), "fetch at " + offset);
            }
        }
    }

    @Test
    void readReturnsWholeBatchesWithinLimits() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1 << 20, 0))) {
            int size = batch(Compression.NONE, START_MS, 10).sizeInBytes();
            for (int i = 0; i < 5; i++) {
                ctx.append(batch(Compression.NONE, START_MS, 10));
            }
            // fetch inside a batch returns that batch whole
            FetchDataInfo inside = ctx.log.read(15, size, Long.MAX_VALUE, false);
            assertEquals(size, inside.sizeInBytes());
            assertEquals(size, inside.position());
            // maxBytes cuts at batch boundaries
            assertEquals(2 * size, ctx.log.read(0, 2 * size + size / 2, Long.MAX_VALUE, false).sizeInBytes());
            // first batch larger than maxBytes: only with minOneMessage
            assertEquals(0, ctx.log.read(0, 10, Long.MAX_VALUE, false).sizeInBytes());
            assertEquals(size, ctx.log.read(0, 10, Long.MAX_VALUE, true).sizeInBytes());
            // never past maxOffsetExclusive (the high watermark)
            assertEquals(2 * size, ctx.log.read(0, 1 << 20, 20, false).sizeInBytes());
            assertEquals(0, ctx.log.read(20, 1 << 20, 20, false).sizeInBytes());
            // at the log end offset: empty; beyond: out of range
            FetchDataInfo end = ctx.log.read(50, 1 << 20, Long.MAX_VALUE, true);
            assertNull(end.file());
            assertEquals(0, end.sizeInBytes());
            assertThrows(OffsetOutOfRangeException.class, () -> ctx.log.read(51, 100, Long.MAX_VALUE, true));
            assertThrows(OffsetOutOfRangeException.class, () -> ctx.log.read(-1, 100, Long.MAX_VALUE, true));
            Records records = ctx.log.readRecords(10, 1 << 20, 30, true);
            assertEquals(2 * size, records.sizeInBytes());
        }
    }

    static Stream<Compression> codecs() {
        return Stream.of(Compression.NONE, Compression.gzip().build(), Compression.snappy().build(),
                Compression.lz4().build(), Compression.zstd().build());
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void compressedBatchesAreStoredAsSent(Compression compression) throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            ctx.append(batch(compression, START_MS, 4));
            MemoryRecords sent = batch(compression, START_MS + 10, 6);
            byte[] payload = new byte[sent.sizeInBytes()];
            sent.buffer().duplicate().get(payload);
            LogAppendResult result = ctx.append(sent);
            assertEquals(4, result.firstOffset());
            assertEquals(9, result.lastOffset());
            FetchDataInfo info = ctx.log.read(4, 1 << 20, Long.MAX_VALUE, true);
            ByteBuffer stored = ByteBuffer.allocate(info.sizeInBytes());
            try (FileRecords file = FileRecords.open(info.file(), false)) {
                file.readInto(stored, (int) info.position()); // flips the buffer
                RecordBatch b = MemoryRecords.readableRecords(stored.duplicate()).batches().iterator().next();
                assertEquals(compression.type(), b.compressionType());
                assertTrue(b.isValid());
            }
            // the payload after the rewritten header fields (base offset, epoch) is byte for byte what was sent
            byte[] storedBytes = new byte[stored.remaining()];
            stored.get(storedBytes);
            assertArrayEquals(java.util.Arrays.copyOfRange(payload, 21, payload.length),
                    java.util.Arrays.copyOfRange(storedBytes, 21, storedBytes.length));
            List<Record> records = ctx.readAll(4);
            assertEquals(6, records.size());
            assertEquals("value-" + (START_MS + 10) + "-5", StandardCharsets.UTF_8.decode(records.get(5).value()).toString());
        }
    }

    @Test
    void logAppendTimeRewritesTypeAndMaxTimestamp() throws Exception {
        LogConfig cfg = LogTestContext.withTimestampType(LogConfig.defaults(), TimestampType.LOG_APPEND_TIME);
        try (LogTestContext ctx = new LogTestContext(dir, cfg)) {
            for (Compression c : codecs().toList()) {
                LogAppendResult r = ctx.append(batch(c, 1_000L, 3)); // far outside the window: ignored
                assertEquals(START_MS, r.logAppendTime());
                FetchDataInfo info = ctx.log.read(r.firstOffset(), 1 << 20, Long.MAX_VALUE, true);
                try (FileRecords file = FileRecords.open(info.file(), false)) {
                    RecordBatch b = file.slice((int) info.position(), info.sizeInBytes()).batches().iterator().next();
                    assertEquals(TimestampType.LOG_APPEND_TIME, b.timestampType());
                    assertEquals(START_MS, b.maxTimestamp());
                    assertTrue(b.isValid(), "CRC recomputed for " + c.type());
                    for (Record rec : b) {
                        assertEquals(START_MS, rec.timestamp());
                    }
                }
            }
        }
    }

    @Test
    void validationErrors() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            // bad CRC
            MemoryRecords corrupt = batch(Compression.NONE, START_MS, 3);
            corrupt.buffer().put(corrupt.sizeInBytes() - 1, (byte) 0x55);
            assertThrows(CorruptRecordException.class, () -> ctx.append(corrupt));
            // torn batch
            MemoryRecords full = batch(Compression.NONE, START_MS, 3);
            ByteBuffer torn = full.buffer().duplicate();
            torn.limit(torn.limit() - 5);
            assertThrows(CorruptRecordException.class, () -> ctx.append(MemoryRecords.readableRecords(torn.slice())));
            // magic v1
            MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                    new SimpleRecord(START_MS, "k".getBytes(), "v".getBytes()));
            assertThrows(UnsupportedForMessageFormatException.class, () -> ctx.append(v1));
            // two batches in one request
            ByteBuffer two = ByteBuffer.allocate(full.sizeInBytes() * 2);
            two.put(batch(Compression.NONE, START_MS, 3).buffer()).put(batch(Compression.NONE, START_MS, 3).buffer()).flip();
            assertThrows(InvalidRecordException.class, () -> ctx.append(MemoryRecords.readableRecords(two)));
            // base offset not 0
            assertThrows(InvalidRecordException.class, () -> ctx.append(MemoryRecords.withRecords(7L, Compression.NONE,
                    LogTestContext.records(START_MS, 2))));
            // timestamps outside [now - before, now + after]
            assertThrows(InvalidTimestampException.class,
                    () -> ctx.append(batch(Compression.NONE, START_MS + 3_600_001L, 1)));
            assertThrows(InvalidTimestampException.class,
                    () -> ctx.append(batch(Compression.gzip().build(), START_MS + 7_200_000L, 2)));
            ctx.append(batch(Compression.NONE, START_MS + 3_600_000L, 1));
            ctx.append(batch(Compression.NONE, 0L, 1)); // before.max.ms defaults to unlimited
            assertEquals(2, ctx.log.logEndOffset());
        }
    }

    @Test
    void recordTooLargeAndKeylessOnCompactedTopic() throws Exception {
        LogConfig cfg = LogTestContext.withCompact(LogTestContext.withMaxMessageBytes(LogConfig.defaults(), 200));
        try (LogTestContext ctx = new LogTestContext(dir, cfg)) {
            assertThrows(RecordTooLargeException.class, () -> ctx.append(batch(Compression.NONE, START_MS, 20)));
            MemoryRecords keyless = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(START_MS, null, "v".getBytes()));
            assertThrows(InvalidRecordException.class, () -> ctx.append(keyless));
            MemoryRecords keylessZstd = MemoryRecords.withRecords(Compression.zstd().build(),
                    new SimpleRecord(START_MS, "k".getBytes(), "v".getBytes()), new SimpleRecord(START_MS, null, "v".getBytes()));
            assertThrows(InvalidRecordException.class, () -> ctx.append(keylessZstd));
            assertEquals(0, ctx.log.logEndOffset());
        }
    }

    @Test
    void countAndOffsetDeltaMismatchesAreRejected() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            // lastOffsetDelta (bytes 23..26) says 5 records while the batch holds 3: fix the CRC so only this is wrong
            MemoryRecords records = batch(Compression.NONE, START_MS, 3);
            records.buffer().putInt(23, 4);
            org.apache.kafka.common.record.internal.DefaultRecordBatch b =
                    (org.apache.kafka.common.record.internal.DefaultRecordBatch) records.batches().iterator().next();
            records.buffer().putInt(17, (int) org.apache.kafka.common.utils.Crc32C.compute(records.buffer(), 21,
                    records.sizeInBytes() - 21));
            assertTrue(b.isValid());
            assertThrows(InvalidRecordException.class, () -> ctx.append(records));
            // record count (bytes 57..60) larger than the records present
            MemoryRecords records2 = batch(Compression.NONE, START_MS, 3);
            records2.buffer().putInt(23, 3);
            records2.buffer().putInt(57, 4);
            records2.buffer().putInt(17, (int) org.apache.kafka.common.utils.Crc32C.compute(records2.buffer(), 21,
                    records2.sizeInBytes() - 21));
            assertThrows(InvalidRecordException.class, () -> ctx.append(records2));
            assertEquals(0, ctx.log.logEndOffset());
        }
    }

    @Test
    void offsetForTimestampAndMaxTimestamp() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(2048, 64))) {
            assertEquals(new TimestampAndOffset(-1, -1, Optional.empty()), ctx.log.maxTimestampOffset());
            assertTrue(ctx.log.offsetForTimestamp(0).isEmpty());
            // batch i holds offsets 5i..5i+4 with timestamps START_MS + 10i .. + 4, one batch out of order
            for (int i = 0; i < 40; i++) {
                long ts = i == 20 ? START_MS + 10_000 : START_MS + 10L * i;
                ctx.append(i % 2 == 0 ? batch(Compression.NONE, ts, 5) : batch(Compression.lz4().build(), ts, 5));
            }
            assertTrue(ctx.log.numberOfSegments() > 2);
            assertEquals(new TimestampAndOffset(START_MS, 0, Optional.of(5)), ctx.log.offsetForTimestamp(0).get());
            assertEquals(new TimestampAndOffset(START_MS + 70, 35, Optional.of(5)),
                    ctx.log.offsetForTimestamp(START_MS + 70).get());
            // between two records: the next one
            assertEquals(new TimestampAndOffset(START_MS + 80, 40, Optional.of(5)),
                    ctx.log.offsetForTimestamp(START_MS + 75).get());
            // a later timestamp only in the out-of-order batch 20
            assertEquals(100, ctx.log.offsetForTimestamp(START_MS + 5_000).get().offset());
            assertTrue(ctx.log.offsetForTimestamp(START_MS + 20_000).isEmpty());
            assertEquals(new TimestampAndOffset(START_MS + 10_004, 104, Optional.of(5)), ctx.log.maxTimestampOffset());
            ctx.restart();
            assertEquals(new TimestampAndOffset(START_MS + 10_004, 104, Optional.of(5)), ctx.log.maxTimestampOffset());
            assertEquals(35, ctx.log.offsetForTimestamp(START_MS + 70).get().offset());
        }
    }

    @Test
    void highWatermarkIsClamped() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            ctx.append(batch(Compression.NONE, START_MS, 3));
            ctx.log.updateHighWatermark(10);
            assertEquals(3, ctx.log.highWatermark());
            ctx.log.updateHighWatermark(-5);
            assertEquals(0, ctx.log.highWatermark());
        }
    }

    @Test
    void followerAppendAndTruncate() throws Exception {
        try (LogTestContext leader = new LogTestContext(dir.resolve("leader"), LogTestContext.config(1024, 100));
             LogTestContext follower = new LogTestContext(dir.resolve("follower"), LogTestContext.config(1024, 100))) {
            for (int i = 0; i < 20; i++) {
                leader.append(batch(Compression.NONE, START_MS + i, 3));
            }
            long offset = 0;
            for (int fetches = 0; offset < leader.log.logEndOffset(); fetches++) {
                assertTrue(fetches < 100, "follower stuck at " + offset);
                Records r = leader.log.readRecords(offset, 500, Long.MAX_VALUE, true);
                ByteBuffer buf = ByteBuffer.allocate(r.sizeInBytes());
                ((FileRecords) r).readInto(buf, 0);
                offset = follower.log.appendAsFollower(MemoryRecords.readableRecords(buf)); // readInto flipped it
            }
            assertEquals(60, follower.log.logEndOffset());
            assertEquals(leader.readAll(0).size(), follower.readAll(0).size());
            follower.log.truncateTo(31); // inside batch [30, 32]: the whole batch goes
            assertEquals(30, follower.log.logEndOffset());
            follower.append(batch(Compression.NONE, START_MS, 1));
            assertEquals(31, follower.log.logEndOffset());
            assertEquals(31, follower.readAll(0).size());
            follower.restart();
            assertEquals(31, follower.log.logEndOffset());
        }
    }
}
