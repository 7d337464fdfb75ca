package io.sluice.storage;

import io.sluice.storage.log.LogFileNames;
import io.sluice.storage.log.LogSegment;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Log compaction, as Kafka's {@code LogCleaner} and {@code Cleaner}: for logs with {@code cleanup.policy} compact,
 * keeps the last record of every key and drops tombstones once they have been served for {@code delete.retention.ms}.
 *
 * <p>A log is cleanable when the share of its dirty bytes (segments after the last cleaning, before the first
 * uncleanable offset: the active segment, the high watermark, {@code min.compaction.lag.ms}) reaches
 * {@code min.cleanable.dirty.ratio}, when its first dirty record is older than {@code max.compaction.lag.ms}, or when
 * a cleaned tombstone's delete horizon has passed. The filthiest log is cleaned first. A cleaning:
 * <ol>
 *   <li>maps every key of the dirty section to its last offset (an MD5 of the key, as Kafka's
 *       {@code SkimpyOffsetMap}; at most {@code log.cleaner.dedupe.buffer.size / threads / 24 * load factor} keys, the
 *       rest of the dirty section waits for the next cleaning);</li>
 *   <li>rewrites every segment below the mapped range with kafka-clients' {@code MemoryRecords.filterTo}: a record
 *       stays if it is its key's latest, and if a tombstone, until the delete horizon that the first cleaning stamped
 *       into its batch (KIP-534). Offsets, timestamps, producer ids and sequences are kept; an emptied batch that was
 *       its producer's last is kept empty, so idempotence survives; control batches are kept;</li>
 *   <li>swaps each rewritten segment in ({@link PartitionLog#replaceCleanedSegment}), crash-safe.</li>
 * </ol>
 * Thread-safety: {@code log.cleaner.threads} daemon threads; one log is cleaned by one thread at a time. Segment
 * files are read and written without the partition lock (only inactive segments are touched); the swap takes it.
 */
public final class LogCleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    /** Kafka's SkimpyOffsetMap: a 16-byte MD5 and an 8-byte offset per key. */
    private static final int BYTES_PER_ENTRY = 24;

    /**
     * The broker's {@code log.cleaner.*} settings.
     *
     * @param threads          {@code log.cleaner.threads} (default 1)
     * @param backoffMs        {@code log.cleaner.backoff.ms}: sleep when no log needs cleaning (default 15000)
     * @param dedupeBufferSize {@code log.cleaner.dedupe.buffer.size}: memory for the key maps, all threads (128 MiB)
     * @param ioBufferSize     {@code log.cleaner.io.buffer.size}: read chunk per thread (512 KiB)
     * @param loadFactor       {@code log.cleaner.io.buffer.load.factor}: how full a key map may get (0.9)
     */
    public record Config(int threads, long backoffMs, long dedupeBufferSize, int ioBufferSize, double loadFactor) {
        public static final Config DEFAULTS = new Config(1, 15_000L, 128L * 1024 * 1024, 512 * 1024, 0.9);

        int maxKeysPerThread() {
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    dedupeBufferSize / Math.max(1, threads) / BYTES_PER_ENTRY * loadFactor));
        }
    }

    /** What one cleaning did, for logs and tests. */
    public record CleanResult(long firstDirtyOffset, long endOffset, int segmentsRewritten, long bytesBefore,
                              long bytesAfter) {
    }

    private final Config config;
    private final Time time;
    private final Supplier<Collection<PartitionLog>> logs;
    private final Set<PartitionLog> inProgress = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    /**
     * Set by {@link #close}: a cleaning in progress stops at its next chunk. Threads are never interrupted, since an
     * interrupt during a read would close the segment's shared FileChannel.
     */
    private volatile boolean stopping;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Thrown inside a cleaning when the cleaner stops; the partial {@code .cleaned} file is deleted. */
    private static final class CleanerStoppedException extends RuntimeException {
        CleanerStoppedException() {
            super("log cleaner stopping", null, false, false);
        }
    }

    public LogCleaner(Config config, Time time, Supplier<Collection<PartitionLog>> logs) {
        this.config = config;
        this.time = time;
        this.logs = logs;
    }

    /** Starts {@code log.cleaner.threads} threads, each cleaning the filthiest log, or sleeping the backoff. */
    public synchronized void startup() {
        running = true;
        for (int i = 0; i < config.threads(); i++) {
            Thread t = new Thread(this::run, "sluice-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run() {
        while (running) {
            boolean cleaned;
            try {
                cleaned = cleanFilthiestLog();
            } catch (RuntimeException e) {
                LOG.error("Log cleaner failed; backing off", e);
                cleaned = false;
            }
            if (!cleaned) {
                try {
                    stopped.await(config.backoffMs(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Cleans the log that needs it most, if any. Returns true if one was cleaned. */
    public boolean cleanFilthiestLog() {
        long now = time.milliseconds();
        PartitionLog filthiest = null;
        double worst = -1;
        for (PartitionLog log : logs.get()) {
            double score = cleaningScore(log, now);
            if (score > worst && !inProgress.contains(log)) {
                worst = score;
                filthiest = log;
            }
        }
        if (filthiest == null || worst < 0 || !inProgress.add(filthiest)) {
            return false;
        }
        try {
            return clean(filthiest).map(r -> r.segmentsRewritten() > 0 || r.endOffset() > r.firstDirtyOffset())
                    .orElse(false);
        } finally {
            inProgress.remove(filthiest);
        }
    }

    /**
     * How much {@code log} needs cleaning: negative when it does not; its dirty ratio when it reaches
     * {@code min.cleanable.dirty.ratio}; above 1 when {@code max.compaction.lag.ms} or a tombstone's delete horizon
     * forces a cleaning.
     */
    double cleaningScore(PartitionLog log, long now) {
        LogConfig cfg = log.config();
        if (!cfg.compact() || log.isClosedOrOffline()) {
            return -1;
        }
        long firstDirty = log.firstDirtyOffset();
        long uncleanable = log.firstUncleanableOffset(now);
        long cleanBytes = 0;
        long dirtyBytes = 0;
        LogSegment firstDirtySegment = null;
        List<LogSegment> all = log.segmentList();
        for (int i = 0; i + 1 < all.size(); i++) {
            LogSegment segment = all.get(i);
            long upper = all.get(i + 1).baseOffset();
            if (upper > uncleanable) {
                break;
            }
            if (upper <= firstDirty) {
                cleanBytes += segment.size();
            } else {
                dirtyBytes += segment.size();
                if (firstDirtySegment == null && segment.size() > 0) {
                    firstDirtySegment = segment;
                }
            }
        }
        if (log.earliestDeleteHorizonMs() <= now) {
            return 2;
        }
        if (dirtyBytes == 0) {
            return -1;
        }
        if (firstDirtySegment != null && cfg.compaction().maxCompactionLagMs() < Long.MAX_VALUE) {
            long firstTimestamp = firstBatchTimestamp(firstDirtySegment);
            if (firstTimestamp >= 0 && now - firstTimestamp > cfg.compaction().maxCompactionLagMs()) {
                return 3;
            }
        }
        double ratio = (double) dirtyBytes / (cleanBytes + dirtyBytes);
        return ratio >= cfg.compaction().minCleanableDirtyRatio() ? ratio : -1;
    }

    private static long firstBatchTimestamp(LogSegment segment) {
        for (FileChannelRecordBatch batch : segment.log().batches()) {
            return batch.maxTimestamp();
        }
        return -1;
    }

    /** Cleans {@code log} now, whatever its dirty ratio (as a forced cleaning); empty when there was nothing to do. */
    public Optional<CleanResult> clean(PartitionLog log) {
        if (!log.config().compact() || log.isClosedOrOffline()) {
            return Optional.empty();
        }
        try {
            return Optional.of(doClean(log));
        } catch (CleanerStoppedException e) {
            LOG.info("{}: cleaning stopped by shutdown", log.topicPartition());
            return Optional.empty();
        } catch (IOException e) {
            LOG.error("{}: cleaning failed; will retry", log.topicPartition(), e);
            return Optional.empty();
        }
    }

    private CleanResult doClean(PartitionLog log) throws IOException {
        long now = time.milliseconds();
        LogConfig cfg = log.config();
        long firstDirty = log.firstDirtyOffset();
        long uncleanable = log.firstUncleanableOffset(now);
        OffsetMap map = new OffsetMap(config.maxKeysPerThread());
        map.coveredUpTo = buildOffsetMap(log, firstDirty, uncleanable, map);
        long endOffset = Math.max(firstDirty, map.coveredUpTo);

        Map<Long, Long> lastBatches = log.lastDataOffsetsOfProducers();
        long[] earliestHorizon = {Long.MAX_VALUE};
        int rewritten = 0;
        long before = 0;
        long after = 0;
        for (LogSegment segment : log.segmentList()) {
            if (segment.baseOffset() >= endOffset || segment.baseOffset() >= uncleanable) {
                break;
            }
            before += segment.size();
            Path cleaned = log.dir().resolve(LogFileNames.filenamePrefixFromOffset(segment.baseOffset())
                    + LogFileNames.LOG_FILE_SUFFIX + LogFileNames.CLEANED_FILE_SUFFIX);
            boolean changed = cleanInto(segment, cleaned, map, lastBatches, now, cfg.compaction().deleteRetentionMs(),
                    earliestHorizon);
            if (!changed) {
                Files.deleteIfExists(cleaned);
                after += segment.size();
                continue;
            }
            long size = Files.size(cleaned);
            if (!log.replaceCleanedSegment(segment, cleaned)) {
                LOG.info("{}: segment {} went away during cleaning; stopping this cleaning", log.topicPartition(),
                        segment.baseOffset());
                return new CleanResult(firstDirty, firstDirty, rewritten, before, after + size);
            }
            after += size;
            rewritten++;
        }
        log.setFirstDirtyOffset(endOffset);
        log.setEarliestDeleteHorizonMs(earliestHorizon[0]);
        if (rewritten > 0 || endOffset > firstDirty) {
            LOG.info("{}: cleaned offsets [{}, {}): {} segment(s) rewritten, {} -> {} bytes, {} keys in the dirty section",
                    log.topicPartition(), firstDirty, endOffset, rewritten, before, after, map.size());
        }
        return new CleanResult(firstDirty, endOffset, rewritten, before, after);
    }

    /**
     * Maps each key of the dirty section [firstDirty, uncleanable) to its last offset, until the map is full. Returns
     * the offset up to which the section is mapped (exclusive): records from there on are kept as they are.
     */
    private static long buildOffsetMap(PartitionLog log, long firstDirty, long uncleanable, OffsetMap map) {
        for (LogSegment segment : log.segmentList()) {
            if (segment.baseOffset() >= uncleanable) {
                break;
            }
            for (FileChannelRecordBatch batch : segment.log().batches()) {
                if (batch.lastOffset() < firstDirty || batch.isControlBatch()) {
                    continue;
                }
                if (batch.baseOffset() >= uncleanable) {
                    return uncleanable;
                }
                for (Record record : batch) {
                    if (record.offset() < firstDirty) {
                        continue;
                    }
                    if (record.offset() >= uncleanable) {
                        return uncleanable;
                    }
                    if (record.hasKey() && !map.put(record.key(), record.offset())) {
                        return record.offset(); // full: the rest waits for the next cleaning
                    }
                }
            }
        }
        return uncleanable;
    }

    /**
     * Writes the records of {@code segment} that survive into {@code cleaned}, chunk by chunk. Returns false when the
     * result would be identical (no record dropped, no delete horizon stamped): the segment is then left alone.
     */
    private boolean cleanInto(LogSegment segment, Path cleaned, OffsetMap map, Map<Long, Long> lastBatches, long now,
                              long deleteRetentionMs, long[] earliestHorizon) throws IOException {
        Files.deleteIfExists(cleaned);
        RecordFilter filter = new RecordFilter(now, deleteRetentionMs) {
            @Override
            protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
                Long last = batch.hasProducerId() ? lastBatches.get(batch.producerId()) : null;
                boolean lastOfProducer = last != null && last == batch.lastOffset();
                return new BatchRetentionResult(lastOfProducer ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY,
                        false);
            }

            @Override
            protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
                if (batch.isControlBatch() || record.offset() >= map.coveredUpTo) {
                    return true;
                }
                if (!record.hasKey()) {
                    return false;
                }
                boolean latest = record.offset() >= map.get(record.key());
                boolean retainDeletes = batch.deleteHorizonMs().isEmpty() || now < batch.deleteHorizonMs().getAsLong();
                return latest && (record.hasValue() || retainDeletes);
            }
        };
        boolean changed = false;
        FileRecords source = segment.log();
        boolean completed = false;
        try (FileRecords out = FileRecords.open(cleaned.toFile(), false, 0, false)) {
            List<FileChannelRecordBatch> chunk = new ArrayList<>();
            int chunkBytes = 0;
            List<FileChannelRecordBatch> all = new ArrayList<>();
            source.batches().forEach(all::add);
            for (int i = 0; i <= all.size(); i++) {
                if (i < all.size()) {
                    FileChannelRecordBatch b = all.get(i);
                    if (chunk.isEmpty() || chunkBytes + b.sizeInBytes() <= config.ioBufferSize()) {
                        chunk.add(b);
                        chunkBytes += b.sizeInBytes();
                        continue;
                    }
                }
                if (chunk.isEmpty()) {
                    break;
                }
                if (stopping) {
                    throw new CleanerStoppedException();
                }
                ByteBuffer read = ByteBuffer.allocate(chunkBytes);
                source.readInto(read, chunk.get(0).position());
                ByteBuffer original = read.duplicate();
                MemoryRecords records = MemoryRecords.readableRecords(read);
                MemoryRecords.FilterResult result = records.filterTo(filter, ByteBuffer.allocate(chunkBytes),
                        BufferSupplier.NO_CACHING);
                ByteBuffer output = result.outputBuffer();
                output.flip();
                if (!output.equals(original)) {
                    changed = true;
                }
                MemoryRecords filtered = MemoryRecords.readableRecords(output);
                for (MutableRecordBatch batch : filtered.batches()) {
                    if (batch.deleteHorizonMs().isPresent() && containsTombstone(batch)) {
                        earliestHorizon[0] = Math.min(earliestHorizon[0], batch.deleteHorizonMs().getAsLong());
                    }
                }
                if (filtered.sizeInBytes() > 0) {
                    out.append(filtered);
                }
                chunk.clear();
                chunkBytes = 0;
                if (i < all.size()) {
                    i--; // the batch that did not fit starts the next chunk
                }
            }
            out.flush();
            completed = true;
        } finally {
            if (!completed) {
                Files.deleteIfExists(cleaned);
            }
        }
        return changed;
    }

    private static boolean containsTombstone(RecordBatch batch) {
        for (Record record : batch) {
            if (!record.hasValue()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized void close() {
        running = false;
        stopping = true;
        stopped.countDown();
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }

    /** Key (by MD5) to its last offset in the dirty section, bounded as Kafka's {@code SkimpyOffsetMap}. */
    static final class OffsetMap {
        private final int maxKeys;
        private final Map<ByteBuffer, Long> offsets = new HashMap<>();
        private final MessageDigest md5;
        /** Records at or after this offset were not mapped and are kept. */
        long coveredUpTo;

        OffsetMap(int maxKeys) {
            this.maxKeys = maxKeys;
            try {
                md5 = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("MD5 is required of every JVM", e);
            }
        }

        private ByteBuffer hash(ByteBuffer key) {
            md5.update(key.duplicate());
            return ByteBuffer.wrap(md5.digest());
        }

        /** False (and nothing stored) when the map is full and the key is new. */
        boolean put(ByteBuffer key, long offset) {
            ByteBuffer h = hash(key);
            if (offsets.size() >= maxKeys && !offsets.containsKey(h)) {
                return false;
            }
            offsets.put(h, offset);
            return true;
        }

        /** The key's last offset in the dirty section, or -1 (so any record of an unmapped key is its latest). */
        long get(ByteBuffer key) {
            return offsets.getOrDefault(hash(key), -1L);
        }

        int size() {
            return offsets.size();
        }
    }
}
