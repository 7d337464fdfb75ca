package io.sluice.storage.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteUtils;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link LogValidator} reads uncompressed records in place ({@link RecordCursor}) and compressed ones with the
 * key-skipping iterator. Both must accept and reject what Kafka's own record parser does, and compute the same
 * max timestamp: checked here on random batches and on random damage to their record bytes (with the CRC
 * recomputed, so that the record parser, not the CRC, is what meets the damage).
 */
class LogValidatorTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long NOW = 1_700_000_000_000L;

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void assignsOffsetsAndMaxTimestampAsKafkasIterator(String codec) {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            MemoryRecords records = randomBatch(random, compression(codec));
            Reference expected = reference(records);
            assertTrue(expected.valid);
            LogValidator.ValidationResult result = validate(records, 100, false);
            assertEquals(100, result.firstOffset());
            assertEquals(100 + expected.count - 1, result.lastOffset());
            assertEquals(expected.count, result.recordCount());
            assertEquals(expected.maxTimestamp, result.maxTimestamp());
            assertEquals(expected.offsetOfMaxTimestamp + 100, result.shallowOffsetOfMaxTimestamp());
        }
    }

    @Test
    void acceptsAndRejectsDamagedRecordsAsKafkasParser() {
        Random random = new Random(7);
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            MemoryRecords records = randomBatch(random, Compression.NONE);
            damageRecords(records.buffer(), random);
            Reference expected = reference(records);
            boolean accepted;
            try {
                validate(records, 0, false);
                accepted = true;
            } catch (ApiException | IllegalArgumentException e) {
                accepted = false;
            }
            assertEquals(expected.valid, accepted, () -> "Kafka's parser says " + expected.error);
            rejected += accepted ? 0 : 1;
        }
        assertTrue(rejected > 500, "the damage must exercise the rejections, got " + rejected);
    }

    @Test
    void extraBytesAfterTheLastRecordAreRejected() {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(NOW, "k".getBytes(), "v".getBytes()));
        ByteBuffer longer = ByteBuffer.allocate(records.sizeInBytes() + 1);
        longer.put(records.buffer().duplicate()).put((byte) 0).flip();
        // the batch length field (bytes 8-11) counts the extra byte too
        longer.putInt(8, longer.getInt(8) + 1);
        fixCrc(longer);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> validate(MemoryRecords.readableRecords(longer), 0, false));
        assertTrue(e.getMessage().contains("records still remaining"), e.getMessage());
    }

    @Test
    void compactedTopicsNeedKeysInBothPaths() {
        for (Compression compression : List.of(Compression.NONE, Compression.lz4().build())) {
            MemoryRecords keyless = MemoryRecords.withRecords(compression, new SimpleRecord(NOW, null, "v".getBytes()));
            assertThrows(InvalidRecordException.class, () -> validate(keyless, 0, true));
            MemoryRecords keyed = MemoryRecords.withRecords(compression, new SimpleRecord(NOW, "k".getBytes(), "v".getBytes()));
            assertEquals(0, validate(keyed, 0, true).firstOffset());
        }
    }

    private static LogValidator.ValidationResult validate(MemoryRecords records, long nextOffset, boolean compacted) {
        return LogValidator.validateAndAssignOffsets(records, TP, nextOffset, NOW, 0, Integer.MAX_VALUE,
                TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE, compacted);
    }

    /** What Kafka's own iterator makes of the batch: every record parsed, offset deltas in order. */
    private record Reference(boolean valid, String error, int count, long maxTimestamp, long offsetOfMaxTimestamp) {
    }

    private static Reference reference(MemoryRecords records) {
        ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
        copy.put(records.buffer().duplicate()).flip();
        MutableRecordBatch batch = MemoryRecords.readableRecords(copy).batches().iterator().next();
        long maxTimestamp = -1;
        long offsetOfMax = -1;
        int index = 0;
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record record = it.next();
                if (record.offset() - batch.baseOffset() != index) {
                    return new Reference(false, "offset delta", 0, 0, 0);
                }
                if (record.timestamp() > maxTimestamp) {
                    maxTimestamp = record.timestamp();
                    offsetOfMax = index;
                }
                index++;
            }
        } catch (RuntimeException e) {
            return new Reference(false, e.toString(), 0, 0, 0);
        }
        return new Reference(index == batch.countOrNull(), "count", index, maxTimestamp, offsetOfMax);
    }

    private static MemoryRecords randomBatch(Random random, Compression compression) {
        int count = 1 + random.nextInt(20);
        List<SimpleRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] key = random.nextInt(4) == 0 ? null : bytes(random, random.nextInt(20));
            byte[] value = random.nextInt(8) == 0 ? null : bytes(random, random.nextInt(300));
            RecordHeader[] headers = new RecordHeader[random.nextInt(3)];
            for (int h = 0; h < headers.length; h++) {
                headers[h] = new RecordHeader("h" + h, random.nextBoolean() ? null : bytes(random, random.nextInt(10)));
            }
            records.add(new SimpleRecord(NOW - random.nextInt(100_000), key, value, headers));
        }
        return MemoryRecords.withRecords(compression, records.toArray(new SimpleRecord[0]));
    }

    /** Overwrites a few bytes, or a varint, somewhere in the records, then makes the CRC match again. */
    private static void damageRecords(ByteBuffer batch, Random random) {
        int start = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
        int size = batch.remaining() - start;
        int damages = 1 + random.nextInt(3);
        for (int i = 0; i < damages; i++) {
            int at = start + random.nextInt(size);
            if (random.nextBoolean()) {
                batch.put(at, (byte) random.nextInt(256));
            } else if (at + 5 <= batch.limit()) {
                ByteBuffer varint = batch.duplicate();
                varint.position(at);
                ByteUtils.writeVarint(random.nextInt(64) - 16, varint);
            }
        }
        fixCrc(batch);
    }

    private static void fixCrc(ByteBuffer batch) {
        int attributesOffset = DefaultRecordBatch.CRC_OFFSET + 4;
        long crc = Crc32C.compute(batch, attributesOffset, batch.limit() - attributesOffset);
        ByteUtils.writeUnsignedInt(batch, DefaultRecordBatch.CRC_OFFSET, crc);
    }

    private static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static Compression compression(String codec) {
        return switch (codec) {
            case "none" -> Compression.NONE;
            case "gzip" -> Compression.gzip().build();
            case "snappy" -> Compression.snappy().build();
            case "lz4" -> Compression.lz4().build();
            case "zstd" -> Compression.zstd().build();
            default -> fail("unknown codec " + codec);
        };
    }
}
