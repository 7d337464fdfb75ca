package io.sluice.storage.log;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of one log ordered by base offset, as Kafka's {@code LogSegments}. The last one is the active segment.
 *
 * <p>Thread-safety: a concurrent skip list; the writer adds and removes under the partition lock, readers iterate
 * without locks and see a weakly consistent view.
 */
public final class LogSegments {
    private final ConcurrentNavigableMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();

    public void add(LogSegment segment) {
        segments.put(segment.baseOffset(), segment);
    }

    public void remove(long baseOffset) {
        segments.remove(baseOffset);
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** The active (last) segment. */
    public LogSegment activeSegment() {
        return segments.lastEntry().getValue();
    }

    public Optional<LogSegment> firstSegment() {
        Map.Entry<Long, LogSegment> first = segments.firstEntry();
        return first == null ? Optional.empty() : Optional.of(first.getValue());
    }

    /** The segment that would hold {@code offset}: the one with the largest base offset {@code <= offset}. */
    public Optional<LogSegment> floorSegment(long offset) {
        Map.Entry<Long, LogSegment> e = segments.floorEntry(offset);
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    /** The segment after the one with base offset {@code baseOffset}. */
    public Optional<LogSegment> higherSegment(long baseOffset) {
        Map.Entry<Long, LogSegment> e = segments.higherEntry(baseOffset);
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    /** A snapshot of the segments, in order. */
    public List<LogSegment> values() {
        return new ArrayList<>(segments.values());
    }

    /** Segments whose base offset is {@code >= from}, in order. */
    public Collection<LogSegment> from(long from) {
        return new ArrayList<>(segments.tailMap(from, true).values());
    }

    public long sizeInBytes() {
        long size = 0;
        for (LogSegment s : segments.values()) {
            size += s.size();
        }
        return size;
    }
}
