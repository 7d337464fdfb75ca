package io.sluice.storage.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The leader epochs of one partition's log and the offset where each began, as Kafka's {@code LeaderEpochFileCache},
 * persisted in {@code <partition dir>/leader-epoch-checkpoint} in Kafka's text format:
 * <pre>
 * 0          version
 * 2          number of entries
 * 0 0        epoch startOffset
 * 3 1200
 * </pre>
 * Epochs and start offsets both increase. Every change is written at once (temp file, fsync, rename), so after a
 * crash the file holds every epoch the log had; the log then truncates it to what recovery kept.
 *
 * <p>Thread-safety: mutations are called by the partition's single writer; reads ({@link #endOffsetFor},
 * {@link #latestEpoch}) may run concurrently, so every method is synchronized (the map is tiny).
 */
public final class LeaderEpochCache {
    public static final String FILE_NAME = "leader-epoch-checkpoint";
    /** Kafka's {@code UNDEFINED_EPOCH} and {@code UNDEFINED_EPOCH_OFFSET}. */
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_EPOCH_OFFSET = -1L;
    private static final int VERSION = 0;

    /** One epoch's answer: the epoch found and the offset where the next one began (or the log end offset). */
    public record EpochEndOffset(int epoch, long endOffset) {
    }

    private final Path file;
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    /** The cache of {@code partitionDir}; empty (and {@code loaded} false) when the file is missing or unreadable. */
    public static LeaderEpochCache load(Path partitionDir) throws IOException {
        LeaderEpochCache cache = new LeaderEpochCache(partitionDir.resolve(FILE_NAME));
        cache.read();
        return cache;
    }

    /** True when the file existed and parsed; otherwise the caller rebuilds the epochs from the log. */
    private boolean loaded;

    public boolean loaded() {
        return loaded;
    }

    private void read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                return;
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (count < 0 || lines.size() < 2 + count) {
                return;
            }
            TreeMap<Integer, Long> read = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split("\\s+");
                if (parts.length != 2) {
                    return;
                }
                read.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
            }
            epochs.putAll(read);
            loaded = true;
        } catch (NumberFormatException e) {
            // malformed: rebuilt from the log
        }
    }

    /**
     * Records that {@code epoch} begins at {@code startOffset}, as Kafka's {@code assign}: ignored unless the epoch is
     * newer than the latest one. Returns true when the cache changed (and was written).
     */
    public synchronized boolean assign(int epoch, long startOffset) throws IOException {
        if (epoch < 0) {
            return false;
        }
        Map.Entry<Integer, Long> last = epochs.lastEntry();
        if (last != null && (epoch <= last.getKey() || startOffset < last.getValue())) {
            return false;
        }
        epochs.put(epoch, startOffset);
        write();
        return true;
    }

    /** Replaces the content in memory only (a rebuild from the log); {@link #flush} writes it. */
    public synchronized void assignWithoutFlush(int epoch, long startOffset) {
        Map.Entry<Integer, Long> last = epochs.lastEntry();
        if (epoch >= 0 && (last == null || (epoch > last.getKey() && startOffset >= last.getValue()))) {
            epochs.put(epoch, startOffset);
        }
    }

    public synchronized void flush() throws IOException {
        write();
        loaded = true;
    }

    /**
     * Writes the file of a cache with no epochs (a new, empty log's), as Kafka creates one with every log. Without an
     * fsync: the file holds nothing to lose, and a missing one is rebuilt from the log's batches at load.
     */
    public synchronized void writeEmpty() throws IOException {
        if (!epochs.isEmpty()) {
            throw new IllegalStateException("the cache has epochs: flush() writes them");
        }
        Files.writeString(file, content(), StandardCharsets.UTF_8);
        loaded = true;
    }

    /** Removes the epochs starting at or after {@code endOffset} (the log was truncated there), as Kafka. */
    public synchronized void truncateFromEnd(long endOffset) throws IOException {
        if (epochs.values().removeIf(start -> start >= endOffset)) {
            write();
        }
    }

    /**
     * The log start offset moved to {@code startOffset}: epochs entirely before it go, and the epoch containing it now
     * starts there, as Kafka's {@code truncateFromStart}.
     */
    public synchronized void truncateFromStart(long startOffset) throws IOException {
        Map.Entry<Integer, Long> floor = null;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= startOffset) {
                floor = e;
            }
        }
        if (floor == null || floor.getValue() == startOffset && epochs.firstKey().equals(floor.getKey())) {
            return;
        }
        int epoch = floor.getKey();
        epochs.headMap(epoch, true).clear();
        epochs.put(epoch, startOffset);
        write();
    }

    public synchronized OptionalInt latestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.lastKey());
    }

    /** The start offset of {@code epoch}, if cached. */
    public synchronized Optional<Long> startOffset(int epoch) {
        return Optional.ofNullable(epochs.get(epoch));
    }

    /**
     * Kafka's {@code endOffsetFor}: for the latest epoch the log end offset; for an older one the largest cached
     * epoch not above it and the start offset of the first epoch above it; for an epoch below every cached one the
     * requested epoch and the first epoch's start offset; {@link #UNDEFINED_EPOCH} with
     * {@link #UNDEFINED_EPOCH_OFFSET} for an undefined epoch or one above every cached epoch.
     */
    public synchronized EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == UNDEFINED_EPOCH) {
            return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        if (!epochs.isEmpty() && epochs.lastKey() == requestedEpoch) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        Map.Entry<Integer, Long> higher = epochs.higherEntry(requestedEpoch);
        if (higher == null) {
            return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        Map.Entry<Integer, Long> floor = epochs.floorEntry(requestedEpoch);
        if (floor == null) {
            return new EpochEndOffset(requestedEpoch, higher.getValue());
        }
        return new EpochEndOffset(floor.getKey(), higher.getValue());
    }

    /** The entries, oldest first, as {@code [epoch, startOffset]} pairs. */
    public synchronized List<long[]> entries() {
        List<long[]> out = new ArrayList<>();
        epochs.forEach((e, o) -> out.add(new long[] {e, o}));
        return out;
    }

    private void write() throws IOException {
        AtomicFiles.write(file, content());
    }

    /** Kafka's checkpoint format: version, entry count, then one {@code epoch startOffset} line per entry. */
    private String content() {
        StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(epochs.size()).append('\n');
        epochs.forEach((epoch, offset) -> sb.append(epoch).append(' ').append(offset).append('\n'));
        return sb.toString();
    }
}
