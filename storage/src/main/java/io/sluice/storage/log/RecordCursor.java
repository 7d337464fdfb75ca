package io.sluice.storage.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Walks the records of one uncompressed magic-2 batch in place, reading only what {@link LogValidator} checks
 * (offset delta, timestamp, whether there is a key) and skipping keys, values and headers without materialising
 * them. Kafka's own iterator allocates a record and three buffer slices per record; on the produce path of small
 * records that was most of the broker's allocation.
 *
 * <p>Accepts and rejects exactly what {@code DefaultRecordBatch}'s iterator with {@code DefaultRecord.readFrom}
 * does, with the same {@link InvalidRecordException}s: a record whose declared length exceeds what is left, a
 * negative header count or header key size, a record whose fields do not add up to its declared length, fewer
 * bytes than the declared count of records needs, or bytes left after it (LogValidatorTest compares the two on
 * random damage).
 *
 * <p>Record layout (Kafka's {@code DefaultRecord}): length varint, attributes int8, timestampDelta varlong,
 * offsetDelta varint, keyLength varint (negative: no key), key, valueLength varint, value, header count varint,
 * then per header keyLength varint (not negative), key, valueLength varint, value.
 *
 * <p>One instance per batch, used by one thread; the batch's buffer is not modified.
 */
final class RecordCursor {

    private final ByteBuffer buffer;
    private final long baseTimestamp;
    /** As Kafka's record iterator: in a LOG_APPEND_TIME batch every record has the batch's max timestamp. */
    private final boolean logAppendTime;
    private final long batchMaxTimestamp;
    private final int count;
    private int read;
    private int offsetDelta;
    private long timestamp;
    private boolean hasKey;

    /** @param batch an uncompressed magic-2 batch whose header has been checked (size, count) */
    RecordCursor(ByteBuffer batch, RecordBatch header) {
        this.buffer = batch.duplicate();
        this.buffer.position(batch.position() + DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        this.baseTimestamp = ((DefaultRecordBatch) header).baseTimestamp();
        this.logAppendTime = header.timestampType() == TimestampType.LOG_APPEND_TIME;
        this.batchMaxTimestamp = header.maxTimestamp();
        this.count = header.countOrNull();
    }

    /** Moves to the next record; false after the last one. */
    boolean next() {
        if (read >= count) {
            return false;
        }
        read++;
        try {
            readRecord();
        } catch (BufferUnderflowException e) {
            throw new InvalidRecordException("Incorrect declared batch size, premature EOF reached");
        }
        if (read == count && buffer.hasRemaining()) {
            throw new InvalidRecordException("Incorrect declared batch size, records still remaining in file");
        }
        return true;
    }

    int offsetDelta() {
        return offsetDelta;
    }

    long timestamp() {
        return timestamp;
    }

    boolean hasKey() {
        return hasKey;
    }

    private void readRecord() {
        int sizeOfBody = ByteUtils.readVarint(buffer);
        if (buffer.remaining() < sizeOfBody) {
            throw new InvalidRecordException("Invalid record size: expected " + sizeOfBody
                    + " bytes in record payload, but instead the buffer has only " + buffer.remaining()
                    + " remaining bytes.");
        }
        try {
            int start = buffer.position();
            buffer.get(); // attributes: unused in magic 2
            long timestampDelta = ByteUtils.readVarlong(buffer);
            timestamp = logAppendTime ? batchMaxTimestamp : baseTimestamp + timestampDelta;
            offsetDelta = ByteUtils.readVarint(buffer);
            int keySize = ByteUtils.readVarint(buffer);
            hasKey = keySize >= 0;
            skip(keySize);
            skip(ByteUtils.readVarint(buffer));
            int headers = ByteUtils.readVarint(buffer);
            if (headers < 0) {
                throw new InvalidRecordException("Found invalid number of record headers " + headers);
            }
            if (headers > buffer.remaining()) {
                throw new InvalidRecordException("Found invalid number of record headers. " + headers
                        + " is larger than the remaining size of the buffer");
            }
            for (int i = 0; i < headers; i++) {
                int headerKeySize = ByteUtils.readVarint(buffer);
                if (headerKeySize < 0) {
                    throw new InvalidRecordException("Invalid negative header key size " + headerKeySize);
                }
                skip(headerKeySize);
                skip(ByteUtils.readVarint(buffer));
            }
            if (buffer.position() - start != sizeOfBody) {
                throw new InvalidRecordException("Invalid record size: expected to read " + sizeOfBody
                        + " bytes in record payload, but instead read " + (buffer.position() - start));
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new InvalidRecordException("Found invalid record structure", e);
        }
    }

    /** Skips a length-prefixed field's bytes; a negative length is a null field with none. */
    private void skip(int size) {
        if (size > 0) {
            if (size > buffer.remaining()) {
                throw new BufferUnderflowException();
            }
            buffer.position(buffer.position() + size);
        }
    }
}
