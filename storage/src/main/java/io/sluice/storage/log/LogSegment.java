package io.sluice.storage.log;

import io.sluice.storage.log.IndexEntry.OffsetPosition;
import io.sluice.storage.log.IndexEntry.TimestampOffset;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One segment of a partition log, as Kafka's {@code LogSegment}: the {@code <base offset>.log} file of record
 * batches exactly as they are sent on the wire, its sparse {@link OffsetIndex} and its {@link TimeIndex}. Every
 * offset in the segment is at least {@code baseOffset} and at most {@code baseOffset + Integer.MAX_VALUE}.
 *
 * <p>An index entry is added before a batch once more than {@code index.interval.bytes} were appended since the last
 * entry: offset index {@code (batch last offset, batch position)}, time index {@code (max timestamp so far, last offset
 * of the batch holding it)} — the layout {@code kafka-dump-log --verify-index-only} checks.
 *
 * <p>Thread-safety: mutations (append, roll, truncate, recover, rename) are made by one writer under the partition's
 * lock. Reads ({@link #read}, {@link #translateOffset}, {@link #findOffsetByTimestamp}) run concurrently: the log file
 * size only grows after a batch is fully written, and the indexes publish complete entries only.
 */
public final class LogSegment implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);

    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final long baseOffset;
    private final int indexIntervalBytes;
    private final Time time;
    private volatile long created;
    private int bytesSinceLastIndexEntry;
    private volatile TimestampOffset maxTimestampAndOffsetSoFar = TimestampOffset.UNKNOWN;
    private OptionalLong rollingBasedTimestamp = OptionalLong.empty();

    private LogSegment(FileRecords log, OffsetIndex offsetIndex, TimeIndex timeIndex, long baseOffset,
                       int indexIntervalBytes, Time time) {
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.baseOffset = baseOffset;
        this.indexIntervalBytes = indexIntervalBytes;
        this.time = time;
        this.created = time.milliseconds();
    }

    /**
     * Opens (creating the missing files) the segment {@code baseOffset} in {@code dir}. New index files are
     * preallocated to {@code maxIndexSize}; existing ones are taken as they are (callers resize the active one).
     */
    public static LogSegment open(Path dir, long baseOffset, int indexIntervalBytes, int maxIndexSize, Time time)
            throws IOException {
        FileRecords records = FileRecords.open(LogFileNames.logFile(dir, baseOffset));
        OffsetIndex offsetIndex = new OffsetIndex(LogFileNames.offsetIndexFile(dir, baseOffset), baseOffset, maxIndexSize);
        TimeIndex timeIndex = new TimeIndex(LogFileNames.timeIndexFile(dir, baseOffset), baseOffset, maxIndexSize);
        return new LogSegment(records, offsetIndex, timeIndex, baseOffset, indexIntervalBytes, time);
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int size() {
        return log.sizeInBytes();
    }

    public FileRecords log() {
        return log;
    }

    public OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    public TimeIndex timeIndex() {
        return timeIndex;
    }

    /** True when {@code offset} can be stored relative to this segment's base offset. */
    public boolean canConvertToRelativeOffset(long offset) {
        long relative = offset - baseOffset;
        return relative >= 0 && relative <= Integer.MAX_VALUE;
    }

    /**
     * Appends batches whose offsets are already assigned and whose last offset is {@code largestOffset}, and adds
     * index entries as Kafka's {@code LogSegment.append} does.
     */
    public void append(long largestOffset, MemoryRecords records) throws IOException {
        if (records.sizeInBytes() == 0) {
            return;
        }
        if (!canConvertToRelativeOffset(largestOffset)) {
            throw new IllegalArgumentException("Offset " + largestOffset + " does not fit segment " + baseOffset);
        }
        int physicalPosition = log.sizeInBytes();
        if (physicalPosition == 0) {
            rollingBasedTimestamp = OptionalLong.of(records.batches().iterator().next().maxTimestamp());
        }
        log.append(records);
        for (RecordBatch batch : records.batches()) {
            indexBatch(batch, physicalPosition);
            physicalPosition += batch.sizeInBytes();
        }
    }

    private void indexBatch(RecordBatch batch, int position) {
        if (batch.maxTimestamp() > maxTimestampSoFar()) {
            maxTimestampAndOffsetSoFar = new TimestampOffset(batch.maxTimestamp(), batch.lastOffset());
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(batch.lastOffset(), position);
            timeIndex.maybeAppend(maxTimestampSoFar(), offsetOfMaxTimestampSoFar(), false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batch.sizeInBytes();
    }

    public long maxTimestampSoFar() {
        return maxTimestampAndOffsetSoFar.timestamp();
    }

    public long offsetOfMaxTimestampSoFar() {
        return maxTimestampAndOffsetSoFar.offset();
    }

    public TimestampOffset maxTimestampAndOffsetSoFar() {
        return maxTimestampAndOffsetSoFar;
    }

    /**
     * The largest timestamp of the segment for retention: the max record timestamp, or the file's modification time
     * when no batch has one (Kafka's {@code largestTimestamp}).
     */
    public long largestTimestamp() {
        long max = maxTimestampSoFar();
        return max >= 0 ? max : log.file().lastModified();
    }

    /**
     * Loads the max timestamp from the last time index entry and the batches after it, as Kafka does on load and
     * after truncation.
     */
    public void loadLargestTimestamp() throws IOException {
        TimestampOffset last = timeIndex.lastEntry();
        TimestampOffset max = last.timestamp() >= 0 ? last : TimestampOffset.UNKNOWN;
        int position = offsetIndex.lookup(last.offset()).position();
        for (FileChannelRecordBatch batch : log.batchesFrom(position)) {
            if (batch.maxTimestamp() > max.timestamp()) {
                max = new TimestampOffset(batch.maxTimestamp(), batch.lastOffset());
            }
        }
        maxTimestampAndOffsetSoFar = max;
    }

    /** Milliseconds this segment has waited for a time-based roll, as Kafka's {@code timeWaitedForRoll}. */
    public long timeWaitedForRoll(long now, long messageTimestamp) {
        if (rollingBasedTimestamp.isEmpty() && log.sizeInBytes() > 0) {
            for (FileChannelRecordBatch first : log.batches()) {
                rollingBasedTimestamp = OptionalLong.of(first.maxTimestamp());
                break;
            }
        }
        long ts = rollingBasedTimestamp.orElse(-1L);
        return ts >= 0 ? messageTimestamp - ts : Math.max(now - created, 0);
    }

    /**
     * The position of the first batch whose last offset is {@code >= offset}, starting the scan at the offset index
     * entry for it; {@code null} when the segment holds no such batch.
     */
    public FileRecords.LogOffsetPosition translateOffset(long offset) {
        OffsetPosition mapping = offsetIndex.lookup(offset);
        return log.searchForOffsetFromPosition(offset, mapping.position());
    }

    /**
     * A slice of whole batches starting at the batch that contains {@code startOffset}, holding no batch with an
     * offset {@code >= maxOffsetExclusive}, of at most {@code maxSize} bytes (the first batch always, when
     * {@code minOneMessage}).
     *
     * @return the slice, an empty slice when nothing fits, or empty when the segment holds no batch at or after
     *         {@code startOffset}
     */
    public Optional<Slice> read(long startOffset, int maxSize, long maxOffsetExclusive, boolean minOneMessage) {
        OffsetPosition mapping = offsetIndex.lookup(startOffset);
        int start = -1;
        int bytes = 0;
        boolean found = false;
        for (FileChannelRecordBatch batch : log.batchesFrom(mapping.position())) {
            long lastOffset = batch.lastOffset();
            if (lastOffset < startOffset) {
                continue;
            }
            found = true;
            if (lastOffset >= maxOffsetExclusive) {
                break;
            }
            int size = batch.sizeInBytes();
            if (start < 0) {
                if (size > maxSize && !minOneMessage) {
                    break;
                }
                start = batch.position();
            } else if ((long) bytes + size > maxSize) {
                break;
            }
            bytes += size;
        }
        if (!found) {
            return Optional.empty();
        }
        return Optional.of(new Slice(log, Math.max(start, 0), bytes));
    }

    /** Bytes of one segment file to send: whole batches. */
    public record Slice(FileRecords log, int position, int sizeInBytes) {
    }

    /**
     * The first record at or after {@code startingOffset} whose timestamp is {@code >= timestamp}: time index lookup,
     * then offset index lookup, then a scan, as Kafka's {@code findOffsetByTimestamp}.
     */
    public Optional<FileRecords.TimestampAndOffset> findOffsetByTimestamp(long timestamp, long startingOffset) {
        TimestampOffset indexed = timeIndex.lookup(timestamp);
        int position = offsetIndex.lookup(Math.max(indexed.offset(), startingOffset)).position();
        return Optional.ofNullable(log.searchForTimestamp(timestamp, position, startingOffset));
    }

    /** The offset after the last batch of this segment, or the base offset when it is empty. */
    public long readNextOffset() {
        long next = baseOffset;
        for (FileChannelRecordBatch batch : log.batchesFrom(offsetIndex.lastEntry().position())) {
            next = batch.nextOffset();
        }
        return next;
    }

    /**
     * Rebuilds both indexes from the log, checking every batch (size, CRC, offsets increasing from the base offset),
     * and truncates the log at the first invalid batch, as Kafka's {@code LogSegment.recover}.
     *
     * @param maxIndexSize  size to preallocate the rebuilt indexes to
     * @param batchConsumer sees every valid batch, in order (producer state, leader epochs)
     * @return the number of bytes truncated
     */
    public int recover(int maxIndexSize, Consumer<RecordBatch> batchConsumer) throws IOException {
        offsetIndex.reset(maxIndexSize);
        timeIndex.reset(maxIndexSize);
        maxTimestampAndOffsetSoFar = TimestampOffset.UNKNOWN;
        bytesSinceLastIndexEntry = 0;
        rollingBasedTimestamp = OptionalLong.empty();
        int validBytes = 0;
        long expectedOffset = baseOffset;
        try {
            for (FileChannelRecordBatch batch : log.batches()) {
                batch.ensureValid();
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                    throw new CorruptRecordException("Unexpected magic " + batch.magic());
                }
                // Offsets increase from the segment's base offset; a compacted segment has gaps between batches. The
                // base offset is outside the CRC, so monotonicity (and the relative-offset range) is what detects its
                // corruption; the last offset delta is inside the CRC.
                if (batch.baseOffset() < expectedOffset || batch.lastOffset() < batch.baseOffset()
                        || !canConvertToRelativeOffset(batch.lastOffset())) {
                    throw new CorruptRecordException("Batch offsets [" + batch.baseOffset() + ", " + batch.lastOffset()
                            + "] out of order in segment " + baseOffset);
                }
                if (offsetIndex.isFull() || timeIndex.isFull()) {
                    throw new CorruptRecordException("Index full before the end of segment " + baseOffset);
                }
                indexBatch(batch, validBytes);
                validBytes += batch.sizeInBytes();
                expectedOffset = batch.nextOffset();
                batchConsumer.accept(batch);
            }
        } catch (CorruptRecordException | InvalidRecordException e) {
            LOG.warn("Found invalid batch at byte {} of {}: {}", validBytes, log.file(), e.getMessage());
        } catch (KafkaException e) {
            LOG.warn("Found unreadable batch at byte {} of {}: {}", validBytes, log.file(), e.toString());
        }
        int truncated = log.sizeInBytes() - validBytes;
        if (truncated > 0) {
            LOG.warn("Truncating {} invalid bytes at the end of {}", truncated, log.file());
            log.truncateTo(validBytes);
        }
        if (maxTimestampSoFar() >= 0) {
            timeIndex.maybeAppend(maxTimestampSoFar(), offsetOfMaxTimestampSoFar(), true);
        }
        return truncated;
    }

    /**
     * Removes every batch at or after {@code offset} (which must be a batch boundary in practice) and the index entries
     * pointing to them. Returns the number of bytes removed.
     */
    public int truncateTo(long offset) throws IOException {
        FileRecords.LogOffsetPosition mapping = translateOffset(offset);
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(offset);
        if (mapping == null) {
            return 0;
        }
        int removed = log.truncateTo(mapping.position);
        if (log.sizeInBytes() == 0) {
            created = time.milliseconds();
            rollingBasedTimestamp = OptionalLong.empty();
        }
        bytesSinceLastIndexEntry = 0;
        loadLargestTimestamp();
        return removed;
    }

    /**
     * Called when a newer segment becomes active: writes the final time index entry and trims both indexes and the
     * log file, as Kafka's {@code onBecomeInactiveSegment}.
     */
    public void onBecomeInactiveSegment() throws IOException {
        if (maxTimestampSoFar() >= 0) {
            timeIndex.maybeAppend(maxTimestampSoFar(), offsetOfMaxTimestampSoFar(), true);
        }
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        log.trim();
    }

    /** Grows both indexes back to {@code maxIndexSize} (for the active segment after load). */
    public void resizeIndexes(int maxIndexSize) throws IOException {
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize);
    }

    public void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
    }

    /** Renames the three files, e.g. from {@code ""} to {@code ".deleted"}. */
    public void changeFileSuffixes(String oldSuffix, String newSuffix) throws IOException {
        log.renameTo(withSuffix(log.file(), oldSuffix, newSuffix));
        offsetIndex.renameTo(withSuffix(offsetIndex.file(), oldSuffix, newSuffix));
        timeIndex.renameTo(withSuffix(timeIndex.file(), oldSuffix, newSuffix));
    }

    private static File withSuffix(File file, String oldSuffix, String newSuffix) {
        String name = file.getName();
        String base = name.endsWith(oldSuffix) ? name.substring(0, name.length() - oldSuffix.length()) : name;
        return new File(file.getParentFile(), base + newSuffix);
    }

    public long lastModified() {
        return log.file().lastModified();
    }

    /** Closes the channels and deletes the three files. */
    public void deleteIfExists() throws IOException {
        log.closeHandlers();
        log.deleteIfExists();
        offsetIndex.deleteIfExists();
        timeIndex.deleteIfExists();
    }

    /** Writes the final time index entry, trims the indexes and closes the files (Kafka's {@code close}). */
    @Override
    public void close() throws IOException {
        if (maxTimestampSoFar() >= 0 && timeIndex.file().exists()) {
            timeIndex.maybeAppend(maxTimestampSoFar(), offsetOfMaxTimestampSoFar(), true);
        }
        offsetIndex.close();
        timeIndex.close();
        log.close();
    }

    @Override
    public String toString() {
        return "LogSegment(baseOffset=" + baseOffset + ", size=" + size() + ")";
    }
}
