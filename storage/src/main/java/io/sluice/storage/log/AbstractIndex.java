package io.sluice.storage.log;

import org.apache.kafka.common.errors.InvalidOffsetException;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * A memory-mapped file of fixed-size entries sorted by offset, as Kafka's {@code AbstractIndex}. A new file is
 * preallocated to {@code maxIndexSize} rounded down to a whole number of entries; an existing file is assumed full
 * (Kafka trims indexes when a segment is rolled or closed). {@link #trimToValidSize()} cuts the preallocated tail.
 *
 * <p>Thread-safety: one writer (the partition's append lock) appends, resizes and truncates. Readers run without a
 * lock: {@code entries} is volatile and written after the entry bytes, so a reader sees only complete entries, and
 * the file never shrinks below them while the segment is live. A replaced mapping is left to the garbage collector
 * rather than force-unmapped, so a concurrent reader can never touch an unmapped buffer.
 */
public abstract class AbstractIndex implements Closeable {
    private volatile File file;
    private final long baseOffset;
    private volatile int maxIndexSize;
    private volatile MappedByteBuffer mmap;
    private volatile int maxEntries;
    private volatile int entries;

    protected AbstractIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.maxIndexSize = maxIndexSize;
        boolean newlyCreated = file.createNewFile();
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            if (newlyCreated) {
                raf.setLength(roundDown(maxIndexSize));
            }
            long length = raf.length();
            if (length % entrySize() != 0) {
                throw new CorruptIndexException("Index file " + file + " has size " + length
                        + " which is not a multiple of " + entrySize());
            }
            this.mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
            this.maxEntries = (int) (length / entrySize());
            this.entries = newlyCreated ? 0 : maxEntries;
        }
    }

    /** Bytes per entry: 8 for the offset index, 12 for the time index. */
    protected abstract int entrySize();

    public File file() {
        return file;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int entries() {
        return entries;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public boolean isFull() {
        return entries >= maxEntries;
    }

    /** Size in bytes of the valid entries. */
    public int sizeInBytes() {
        return entries * entrySize();
    }

    protected MappedByteBuffer mmap() {
        return mmap;
    }

    /** Publishes one more entry whose bytes the subclass has just written at slot {@link #entries()}. */
    protected void incrementEntries() {
        entries = entries + 1;
    }

    protected void setEntries(int entries) {
        this.entries = entries;
    }

    /** Relative offset of {@code offset}; the index holds 4-byte offsets relative to the segment's base offset. */
    protected int relativeOffset(long offset) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new InvalidOffsetException("Offset " + offset + " cannot be stored relative to base offset "
                    + baseOffset + " in " + file);
        }
        return (int) relative;
    }

    /**
     * Changes the file length to {@code newSize} rounded down to whole entries (never below the valid entries), and
     * remaps it. Used to preallocate the active segment's index and to trim it when the segment becomes inactive.
     */
    public void resize(int newSize) throws IOException {
        long length = Math.max(roundDown(newSize), (long) entries * entrySize());
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            raf.setLength(length);
            MappedByteBuffer newMmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
            this.mmap = newMmap;
            this.maxEntries = (int) (length / entrySize());
            this.maxIndexSize = (int) length;
        }
    }

    /** Trims the file to its valid entries, as Kafka does when a segment is rolled or closed. */
    public void trimToValidSize() throws IOException {
        resize(entries * entrySize());
    }

    /** Forgets every entry and preallocates again (used when the index is rebuilt by recovery). */
    public void reset(int maxIndexSize) throws IOException {
        entries = 0;
        resize(Math.max(maxIndexSize, entrySize()));
    }

    /** Keeps the first {@code n} entries. */
    protected void truncateToEntries(int n) {
        entries = Math.min(entries, Math.max(n, 0));
    }

    public void flush() {
        mmap.force();
    }

    /**
     * Binary search: the largest slot whose key is {@code <= target}, or -1 when every key is larger (or the index is
     * empty).
     */
    protected int largestLowerBoundSlot(long target, KeyReader key) {
        MappedByteBuffer buffer = mmap;
        int n = entries;
        if (n == 0 || key.read(buffer, 0) > target) {
            return -1;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (key.read(buffer, mid) <= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The absolute offset stored in {@code slot}. */
    protected abstract long offsetAt(MappedByteBuffer buffer, int slot);

    /** Removes every entry whose offset is {@code >= offset}. */
    public void truncateTo(long offset) {
        int slot = smallestUpperBoundSlot(offset, this::offsetAt);
        if (slot >= 0) {
            truncateToEntries(slot);
        }
    }

    /** The smallest slot whose key is {@code >= target}, or -1 when none. */
    protected int smallestUpperBoundSlot(long target, KeyReader key) {
        MappedByteBuffer buffer = mmap;
        int n = entries;
        if (n == 0 || key.read(buffer, n - 1) < target) {
            return -1;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (key.read(buffer, mid) >= target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Reads the search key (absolute offset or timestamp) of one slot. */
    @FunctionalInterface
    protected interface KeyReader {
        long read(MappedByteBuffer buffer, int slot);
    }

    /** Renames the file (the mapping stays valid). */
    public void renameTo(File target) throws IOException {
        try {
            Files.move(file.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone: nothing to rename, as Kafka tolerates
        } finally {
            file = target;
        }
    }

    public boolean deleteIfExists() throws IOException {
        return Files.deleteIfExists(file.toPath());
    }

    /** Trims to the valid entries and flushes. The mapping itself is released by the garbage collector. */
    @Override
    public void close() throws IOException {
        if (file.exists()) {
            trimToValidSize();
            flush();
        }
    }

    private long roundDown(long size) {
        return size - size % entrySize();
    }

    /** Thrown when an index file fails its sanity check; the index is then rebuilt from the log. */
    public static final class CorruptIndexException extends IOException {
        public CorruptIndexException(String message) {
            super(message);
        }
    }
}
