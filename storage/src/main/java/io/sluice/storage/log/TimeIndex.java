package io.sluice.storage.log;

import io.sluice.storage.log.IndexEntry.TimestampOffset;
import org.apache.kafka.common.errors.InvalidOffsetException;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;

/**
 * Kafka's time index ({@code .timeindex}): 12-byte entries of an 8-byte timestamp and a 4-byte offset relative to
 * the segment's base offset. Each entry says "the largest timestamp so far is {@code timestamp}, in the batch whose
 * last offset is {@code offset}"; both columns increase, timestamps strictly. The last slot is kept free so that the
 * final maximum can always be written when the segment is rolled (Kafka's {@code isFull} is {@code entries >=
 * maxEntries - 1}).
 *
 * <p>Thread-safety: see {@link AbstractIndex}.
 */
public final class TimeIndex extends AbstractIndex {
    private static final int ENTRY_SIZE = 12;

    public TimeIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize);
    }

    @Override
    protected int entrySize() {
        return ENTRY_SIZE;
    }

    @Override
    public boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    private static long timestampAt(MappedByteBuffer buffer, int slot) {
        return buffer.getLong(slot * ENTRY_SIZE);
    }

    @Override
    protected long offsetAt(MappedByteBuffer buffer, int slot) {
        return baseOffset() + buffer.getInt(slot * ENTRY_SIZE + 8);
    }

    public TimestampOffset entry(int slot) {
        MappedByteBuffer buffer = mmap();
        return new TimestampOffset(timestampAt(buffer, slot), offsetAt(buffer, slot));
    }

    /** The last entry, or {@code (-1, baseOffset)} when empty (Kafka's convention). */
    public TimestampOffset lastEntry() {
        int n = entries();
        return n == 0 ? new TimestampOffset(-1L, baseOffset()) : entry(n - 1);
    }

    /**
     * The largest entry whose timestamp is {@code <= targetTimestamp}, or {@code (-1, baseOffset)} when none: the
     * records at or after the target start at or after that offset's batch.
     */
    public TimestampOffset lookup(long targetTimestamp) {
        int slot = largestLowerBoundSlot(targetTimestamp, TimeIndex::timestampAt);
        return slot < 0 ? new TimestampOffset(-1L, baseOffset()) : entry(slot);
    }

    /**
     * Appends {@code (timestamp, offset)} if {@code timestamp} is larger than the last entry's, as Kafka's
     * {@code maybeAppend}. {@code skipFullCheck} lets the final entry use the reserved last slot on roll.
     */
    public void maybeAppend(long timestamp, long offset, boolean skipFullCheck) {
        int n = entries();
        if (!skipFullCheck && isFull()) {
            throw new IllegalStateException("Attempt to append to a full time index (size = " + n + ") " + file());
        }
        if (n >= maxEntries()) {
            return; // no room even for the final entry (index of size one entry): lookups fall back to a scan
        }
        TimestampOffset last = lastEntry();
        if (n > 0 && offset < last.offset()) {
            throw new InvalidOffsetException("Attempt to append an offset (" + offset + ") to slot " + n
                    + " no larger than the last offset appended (" + last.offset() + ") to " + file());
        }
        if (n > 0 && timestamp < last.timestamp()) {
            throw new IllegalStateException("Attempt to append a timestamp (" + timestamp + ") to slot " + n
                    + " no larger than the last timestamp appended (" + last.timestamp() + ") to " + file());
        }
        if (n == 0 || timestamp > last.timestamp()) {
            MappedByteBuffer buffer = mmap();
            buffer.putLong(n * ENTRY_SIZE, timestamp);
            buffer.putInt(n * ENTRY_SIZE + 8, relativeOffset(offset));
            incrementEntries();
        }
    }

    /** Kafka's {@code TimeIndex.sanityCheck}. */
    public void sanityCheck() throws CorruptIndexException {
        int n = entries();
        if (n == 0) {
            return;
        }
        if (lastEntry().timestamp() < entry(0).timestamp()) {
            throw new CorruptIndexException("Corrupt time index found, time index file (" + file() + ") has non-zero "
                    + "size but the last timestamp is " + lastEntry().timestamp() + " which is less than the first "
                    + "timestamp " + entry(0).timestamp());
        }
        if (lastEntry().offset() < baseOffset()) {
            throw new CorruptIndexException("Corrupt time index found, time index file (" + file() + ") has non-zero "
                    + "size but the last offset is " + lastEntry().offset() + " which is less than the first offset "
                    + baseOffset());
        }
        for (int i = 1; i < n; i++) {
            if (entry(i).timestamp() <= entry(i - 1).timestamp() || entry(i).offset() < entry(i - 1).offset()) {
                throw new CorruptIndexException("Entries are not increasing at slot " + i + " of " + file());
            }
        }
    }
}
