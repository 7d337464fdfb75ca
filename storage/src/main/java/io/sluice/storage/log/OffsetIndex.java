package io.sluice.storage.log;

import io.sluice.storage.log.IndexEntry.OffsetPosition;
import org.apache.kafka.common.errors.InvalidOffsetException;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;

/**
 * Kafka's sparse offset index ({@code .index}): 8-byte entries of a 4-byte offset relative to the segment's base
 * offset and the 4-byte byte position in the {@code .log} file of the batch whose last offset that is. Entries are
 * strictly increasing in offset. A lookup returns the largest entry at or below the target; the caller scans the log
 * from there.
 *
 * <p>Thread-safety: see {@link AbstractIndex}.
 */
public final class OffsetIndex extends AbstractIndex {
    private static final int ENTRY_SIZE = 8;

    public OffsetIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize);
    }

    @Override
    protected int entrySize() {
        return ENTRY_SIZE;
    }

    @Override
    protected long offsetAt(MappedByteBuffer buffer, int slot) {
        return baseOffset() + buffer.getInt(slot * ENTRY_SIZE);
    }

    public OffsetPosition entry(int slot) {
        MappedByteBuffer buffer = mmap();
        return new OffsetPosition(offsetAt(buffer, slot), buffer.getInt(slot * ENTRY_SIZE + 4));
    }

    /** The last entry, or {@code (baseOffset, 0)} when empty. */
    public OffsetPosition lastEntry() {
        int n = entries();
        return n == 0 ? new OffsetPosition(baseOffset(), 0) : entry(n - 1);
    }

    /** The largest entry whose offset is {@code <= targetOffset}, or {@code (baseOffset, 0)} if there is none. */
    public OffsetPosition lookup(long targetOffset) {
        int slot = largestLowerBoundSlot(targetOffset, this::offsetAt);
        return slot < 0 ? new OffsetPosition(baseOffset(), 0) : entry(slot);
    }

    /** Appends an entry; offsets must increase strictly, as Kafka requires. */
    public void append(long offset, int position) {
        int n = entries();
        if (n >= maxEntries()) {
            throw new IllegalStateException("Attempt to append to a full index (size = " + n + ") " + file());
        }
        if (n > 0 && offset <= lastEntry().offset()) {
            throw new InvalidOffsetException("Attempt to append an offset (" + offset + ") to position " + n
                    + " no larger than the last offset appended (" + lastEntry().offset() + ") to " + file());
        }
        MappedByteBuffer buffer = mmap();
        buffer.putInt(n * ENTRY_SIZE, relativeOffset(offset));
        buffer.putInt(n * ENTRY_SIZE + 4, position);
        incrementEntries();
    }

    /** Kafka's {@code OffsetIndex.sanityCheck}: offsets must not go below the base offset. */
    public void sanityCheck() throws CorruptIndexException {
        int n = entries();
        if (n > 0 && lastEntry().offset() < baseOffset()) {
            throw new CorruptIndexException("Corrupt index found, index file (" + file() + ") has non-zero size but the "
                    + "last offset is " + lastEntry().offset() + " which is less than the base offset " + baseOffset());
        }
        for (int i = 1; i < n; i++) {
            if (entry(i).offset() <= entry(i - 1).offset()) {
                throw new CorruptIndexException("Offsets are not increasing at slot " + i + " of " + file());
            }
        }
    }
}
