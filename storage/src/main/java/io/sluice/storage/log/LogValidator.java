package io.sluice.storage.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

import java.nio.ByteBuffer;
import java.util.Iterator;

/**
 * Validates a produce request's records for one partition and assigns their offsets in place, as Kafka's
 * {@code UnifiedLog.analyzeAndValidateRecords} plus {@code LogValidator} for magic v2 with the producer's
 * compression kept ({@code compression.type=producer}): nothing is recompressed, batches are stored as sent.
 *
 * <p>Checks, in Kafka's order, each failure a kafka-clients exception the server maps with
 * {@code Errors.forException}:
 * <ul>
 *   <li>bytes that are not a whole number of batches, a batch shorter than its header, a bad CRC32C:
 *       {@link CorruptRecordException}</li>
 *   <li>magic other than 2: {@link UnsupportedForMessageFormatException}</li>
 *   <li>more than one batch (Kafka accepts one per partition from v3 on), base offset not 0, count and offset range
 *       disagreeing, offset deltas not 0..count-1, records that do not parse to the declared count, control batches,
 *       a producer id without a sequence, a record without a key on a compacted topic, records that cannot be read
 *       (malformed varints, a compressed payload the codec cannot decode or whose framing lies about its sizes, see
 *       {@link CompressedPayloadCheck}): {@link InvalidRecordException}</li>
 *   <li>batch larger than {@code max.message.bytes}: {@link RecordTooLargeException}</li>
 *   <li>a CREATE_TIME timestamp outside {@code [now - before.max.ms, now + after.max.ms]}, or a client batch claiming
 *       LOG_APPEND_TIME on a CREATE_TIME topic: {@link InvalidTimestampException}</li>
 * </ul>
 * Then it sets the base offset, the partition leader epoch and, for LOG_APPEND_TIME (or a max timestamp that differs
 * from the records'), the timestamp type and max timestamp, which recomputes the CRC.
 *
 * <p>Pure: records and parameters in, result out; it mutates only the given buffer. Thread-safe.
 */
public final class LogValidator {

    /**
     * Decompression buffers, reused per thread (appends run on a fixed pool), as Kafka's request-local buffer
     * supplier: a fresh one per batch would allocate the codec's working buffers on every produce request.
     */
    private static final ThreadLocal<BufferSupplier> DECOMPRESSION_BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

    private LogValidator() {
    }

    /** What the validated batch holds once offsets are assigned. */
    public record ValidationResult(MutableRecordBatch batch, long firstOffset, long lastOffset, int recordCount,
                                   long maxTimestamp, long shallowOffsetOfMaxTimestamp, long logAppendTime) {
    }

    /** A batch that passed validation, before offsets are assigned: what {@link #assignOffsets} needs. */
    public record ValidatedBatch(MutableRecordBatch batch, int recordCount, long maxTimestamp, int indexOfMaxTimestamp) {
    }

    /** Validates {@code records} and assigns offsets from {@code nextOffset}: {@link #validate} then {@link #assignOffsets}. */
    public static ValidationResult validateAndAssignOffsets(MemoryRecords records, TopicPartition tp, long nextOffset,
                                                            long now, int leaderEpoch, int maxMessageBytes,
                                                            TimestampType timestampType, long timestampBeforeMaxMs,
                                                            long timestampAfterMaxMs, boolean compacted) {
        ValidatedBatch validated = validate(records, tp, now, maxMessageBytes, timestampType, timestampBeforeMaxMs,
                timestampAfterMaxMs, compacted);
        return assignOffsets(validated, nextOffset, leaderEpoch, now, timestampType);
    }

    /**
     * Checks {@code records} (see the class comment); reads the batch, writes nothing. Needs no log state, so the log
     * runs it before taking its lock: the CRC and the record walk do not hold up other appends to the partition.
     *
     * @param now broker time in ms (the timestamp window)
     */
    public static ValidatedBatch validate(MemoryRecords records, TopicPartition tp, long now, int maxMessageBytes,
                                          TimestampType timestampType, long timestampBeforeMaxMs,
                                          long timestampAfterMaxMs, boolean compacted) {
        MutableRecordBatch batch = singleBatch(records, tp);
        // As Kafka (KAFKA-14012): clients send batches at base offset 0; the broker assigns offsets.
        if (batch.baseOffset() != 0) {
            throw new InvalidRecordException("The baseOffset of the record batch in the append to " + tp
                    + " should be 0, but it is " + batch.baseOffset());
        }
        if (batch.sizeInBytes() > maxMessageBytes) {
            throw new RecordTooLargeException("The record batch size in the append to " + tp + " is "
                    + batch.sizeInBytes() + " bytes which exceeds the maximum configured value of " + maxMessageBytes + ".");
        }
        if (!batch.isValid()) {
            throw new CorruptRecordException("Record is corrupt (stored crc = " + batch.checksum()
                    + ") in topic partition " + tp + ".");
        }
        validateBatchHeader(batch, tp);

        RecordChecks checks = new RecordChecks(tp, batch, now, timestampType, timestampBeforeMaxMs,
                timestampAfterMaxMs, compacted);
        try {
            if (batch.compressionType() == CompressionType.NONE) {
                RecordCursor cursor = new RecordCursor(records.buffer(), batch);
                while (cursor.next()) {
                    checks.check(cursor.offsetDelta(), cursor.timestamp(), cursor.hasKey());
                }
            } else {
                CompressedPayloadCheck.check(records.buffer(), batch, tp);
                // as Kafka's LogValidator: keys, values and headers are skipped in the decompressed stream
                try (CloseableIterator<Record> it = batch.skipKeyValueIterator(DECOMPRESSION_BUFFERS.get())) {
                    while (it.hasNext()) {
                        Record record = it.next();
                        checks.check(record.offset() - batch.baseOffset(), record.timestamp(), record.hasKey());
                    }
                }
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            // The walk reads nothing but these bytes, so any failure is theirs: a malformed varint, a payload
            // the codec cannot decode. Kafka 4.3 lets these escape as UNKNOWN_SERVER_ERROR; the CRC matched,
            // so they are what the client meant to send, and INVALID_RECORD (not retriable) says so.
            throw unreadable(tp, e);
        } catch (Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            // snappy-java reports undecodable input with SnappyError
            throw unreadable(tp, e);
        }
        int count = batch.countOrNull();
        if (checks.index != count) {
            throw new InvalidRecordException("Batch declares " + count + " records but holds " + checks.index + " in "
                    + tp);
        }
        return new ValidatedBatch(batch, count, checks.maxTimestamp, checks.indexOfMaxTimestamp);
    }

    private static InvalidRecordException unreadable(TopicPartition tp, Throwable cause) {
        return new InvalidRecordException("Record batch in " + tp + " cannot be read: " + cause.getMessage());
    }

    /**
     * Assigns offsets from {@code nextOffset} to a validated batch, in place: base offset, partition leader epoch and,
     * for LOG_APPEND_TIME (or a header max timestamp that differs from the records'), timestamp type and max timestamp.
     *
     * @param now         broker time in ms (LOG_APPEND_TIME)
     * @param leaderEpoch the partition leader epoch to stamp into the batch
     */
    public static ValidationResult assignOffsets(ValidatedBatch validated, long nextOffset, int leaderEpoch, long now,
                                                 TimestampType timestampType) {
        MutableRecordBatch batch = validated.batch();
        int count = validated.recordCount();
        long maxTimestamp = validated.maxTimestamp();
        long offsetOfMaxTimestamp = validated.indexOfMaxTimestamp() < 0 ? -1L : nextOffset + validated.indexOfMaxTimestamp();

        long lastOffset = nextOffset + count - 1;
        batch.setLastOffset(lastOffset);
        batch.setPartitionLeaderEpoch(leaderEpoch);
        long logAppendTime = RecordBatch.NO_TIMESTAMP;
        if (timestampType == TimestampType.LOG_APPEND_TIME) {
            logAppendTime = now;
            maxTimestamp = now;
            offsetOfMaxTimestamp = lastOffset;
            batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
        } else {
            // Kafka rewrites the header max timestamp with the one computed from the records (recomputing the CRC only
            // when it changed).
            batch.setMaxTimestamp(TimestampType.CREATE_TIME, maxTimestamp);
        }
        return new ValidationResult(batch, nextOffset, lastOffset, count, maxTimestamp, offsetOfMaxTimestamp,
                logAppendTime);
    }

    private static MutableRecordBatch singleBatch(MemoryRecords records, TopicPartition tp) {
        ByteBuffer buffer = records.buffer();
        int size = buffer.remaining();
        if (size < DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
            // too short for a v2 header: maybe an older magic, else a torn batch
            if (size > Records.MAGIC_OFFSET && buffer.get(buffer.position() + Records.MAGIC_OFFSET) < 2
                    && buffer.get(buffer.position() + Records.MAGIC_OFFSET) >= 0) {
                throw new UnsupportedForMessageFormatException("Only message format v2 is supported; got magic "
                        + buffer.get(buffer.position() + Records.MAGIC_OFFSET) + " for " + tp);
            }
            throw new CorruptRecordException("Cannot append record batch with illegal length " + size + " to log for "
                    + tp + ". A possible cause is a corrupted produce request.");
        }
        byte magic = buffer.get(buffer.position() + Records.MAGIC_OFFSET);
        if (magic != RecordBatch.MAGIC_VALUE_V2) {
            throw new UnsupportedForMessageFormatException("Only message format v2 is supported; got magic " + magic
                    + " for " + tp);
        }
        int batchSize = buffer.getInt(buffer.position() + Records.SIZE_OFFSET) + Records.LOG_OVERHEAD;
        if (batchSize < DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
            throw new CorruptRecordException("Record batch size " + batchSize + " is less than the minimum batch "
                    + "overhead " + DefaultRecordBatch.RECORD_BATCH_OVERHEAD + " in " + tp);
        }
        if (batchSize > size) {
            throw new CorruptRecordException("Record batch size " + batchSize + " exceeds the " + size
                    + " bytes sent for " + tp);
        }
        if (batchSize < size) {
            throw new InvalidRecordException("Compressed outer record has more than one batch (" + size
                    + " bytes sent, first batch " + batchSize + ") for " + tp);
        }
        Iterator<MutableRecordBatch> it = records.batches().iterator();
        return it.next();
    }

    private static void validateBatchHeader(RecordBatch batch, TopicPartition tp) {
        long countFromOffsets = batch.lastOffset() - batch.baseOffset() + 1;
        if (countFromOffsets <= 0) {
            throw new InvalidRecordException("Batch has an invalid offset range: [" + batch.baseOffset() + ", "
                    + batch.lastOffset() + "] in topic partition " + tp);
        }
        Integer count = batch.countOrNull();
        if (count == null || count <= 0) {
            throw new InvalidRecordException("Invalid reported count for record batch: " + count
                    + " in topic partition " + tp);
        }
        if (countFromOffsets != count) {
            throw new InvalidRecordException("Inconsistent batch offset range [" + batch.baseOffset() + ", "
                    + batch.lastOffset() + "] and count of records " + count + " in topic partition " + tp);
        }
        if (batch.isControlBatch()) {
            throw new InvalidRecordException("Clients are not allowed to write control records in topic partition " + tp);
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            throw new InvalidRecordException("Invalid sequence number " + batch.baseSequence()
                    + " in record batch with producerId " + batch.producerId() + " in topic partition " + tp);
        }
    }

    /**
     * The per-record checks, in Kafka's order, over records read either in place or from a decompressed stream:
     * offset deltas 0..count-1, a key on compacted topics, the timestamp window; and the max timestamp with its offset.
     */
    private static final class RecordChecks {
        private final TopicPartition tp;
        private final RecordBatch batch;
        private final long now;
        private final TimestampType timestampType;
        private final long beforeMaxMs;
        private final long afterMaxMs;
        private final boolean compacted;
        private final int count;
        int index;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        int indexOfMaxTimestamp = -1;

        RecordChecks(TopicPartition tp, RecordBatch batch, long now, TimestampType timestampType,
                     long beforeMaxMs, long afterMaxMs, boolean compacted) {
            this.tp = tp;
            this.batch = batch;
            this.now = now;
            this.timestampType = timestampType;
            this.beforeMaxMs = beforeMaxMs;
            this.afterMaxMs = afterMaxMs;
            this.compacted = compacted;
            this.count = batch.countOrNull();
        }

        void check(long offsetDelta, long timestamp, boolean hasKey) {
            if (index >= count) {
                throw new InvalidRecordException("Batch holds more records than its count " + count + " in " + tp);
            }
            if (offsetDelta != index) {
                throw new InvalidRecordException("Record " + index + " of the batch has offset delta " + offsetDelta
                        + ", expected " + index + " in topic partition " + tp);
            }
            if (compacted && !hasKey) {
                throw new InvalidRecordException("Compacted topic cannot accept message without key in topic "
                        + "partition " + tp);
            }
            checkTimestamp(timestamp);
            if (timestamp > maxTimestamp) {
                maxTimestamp = timestamp;
                indexOfMaxTimestamp = index;
            }
            index++;
        }

        private void checkTimestamp(long timestamp) {
            if (timestampType == TimestampType.CREATE_TIME && timestamp != RecordBatch.NO_TIMESTAMP) {
                long diff = now - timestamp;
                if (diff > beforeMaxMs || -diff > afterMaxMs) {
                    throw new InvalidTimestampException("Timestamp " + timestamp + " of message with offset "
                            + index + " is out of range. The timestamp should be within [" + safeSub(now, beforeMaxMs)
                            + ", " + safeAdd(now, afterMaxMs) + "]");
                }
            } else if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
                throw new InvalidTimestampException("Invalid timestamp type in message " + index
                        + ". Producer should not set timestamp type to LogAppendTime.");
            }
        }
    }

    private static long safeSub(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }

    private static long safeAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
