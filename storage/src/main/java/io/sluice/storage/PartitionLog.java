package io.sluice.storage;

import io.sluice.storage.checkpoint.AtomicFiles;
import io.sluice.storage.checkpoint.LeaderEpochCache;
import io.sluice.storage.log.IndexEntry.TimestampOffset;
import io.sluice.storage.log.LogFileNames;
import io.sluice.storage.log.LogLoader;
import io.sluice.storage.log.LogSegment;
import io.sluice.storage.log.LogSegments;
import io.sluice.storage.log.LogValidator;
import io.sluice.storage.log.LogValidator.ValidationResult;
import io.sluice.storage.producer.BatchMetadata;
import io.sluice.storage.producer.ProducerEntry;
import io.sluice.storage.producer.ProducerStateManager;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;

/**
 * The log of one partition, as Kafka's {@code UnifiedLog} + {@code LocalLog}: an ordered set of
 * {@link LogSegment}s in {@code <log.dir>/<topic>-<partition>/}, the log start offset, log end offset, high watermark
 * and recovery point, and the idempotent {@link ProducerStateManager}.
 *
 * <p>Besides the segments the partition dir holds Kafka's {@code <offset>.snapshot} producer state snapshots (one per
 * roll and one at a clean close, so loading replays only the batches after the newest one) and
 * {@code leader-epoch-checkpoint} (the start offset of every leader epoch, for OffsetForLeaderEpoch). Compaction
 * ({@link LogCleaner}) swaps cleaned copies of inactive segments in through {@link #replaceCleanedSegment}.
 *
 * <p>Thread-safety: every mutation (append, roll, truncation, segment deletion, close) takes one lock, so there is
 * one writer at a time. Reads ({@link #read}, {@link #offsetForTimestamp}, {@link #maxTimestampOffset}, the offset
 * getters) never take it: the offsets are volatile and published after the bytes they cover are written.
 *
 * <p>Errors: validation failures are kafka-clients {@code ApiException}s (see {@link #appendAsLeader}); any
 * {@link IOException} becomes a {@link KafkaStorageException} here, the one boundary, and the log is marked failed
 * ({@link #isOffline()}) so that further calls fail fast.
 */
public final class PartitionLog {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final TopicPartition tp;
    private volatile Uuid topicId;
    private final Path dir;
    private final Time time;
    private final LogSegments segments;
    private final ProducerStateManager producerState;
    private volatile LeaderEpochCache leaderEpochCache;
    private final SegmentDeleter deleter;
    private final ReentrantLock lock = new ReentrantLock();
    private final Object flushLock = new Object();
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    private volatile long lastFlushTimeMs;
    private long unflushedMessages;
    private volatile boolean closed;
    private volatile boolean offline;
    /** Compaction: offsets below this were cleaned ({@code cleaner-offset-checkpoint}). */
    private volatile long firstDirtyOffset;
    /** Compaction: the earliest delete horizon of a cleaned tombstone still in the log, Long.MAX_VALUE if none. */
    private volatile long earliestDeleteHorizonMs = Long.MAX_VALUE;

    /** Deletes a segment whose files were renamed to {@code .deleted}, after {@code file.delete.delay.ms}. */
    @FunctionalInterface
    interface SegmentDeleter {
        void deleteLater(LogSegment segment, long delayMs);
    }

    /** Told of the I/O error that took this log offline: the log dir it lives in has failed. */
    @FunctionalInterface
    interface StorageErrorListener {
        void onStorageError(PartitionLog log, Exception cause);
    }

    private volatile StorageErrorListener storageErrorListener = (log, cause) -> { };

    /** Offsets found in the log dir's checkpoint files for this partition. */
    record Checkpoints(long recoveryPoint, long logStartOffset, long highWatermark) {
        static final Checkpoints NONE = new Checkpoints(0L, 0L, 0L);
    }

    private PartitionLog(TopicPartition tp, Uuid topicId, Path dir, LogConfig config, Time time, LogSegments segments,
                         long logStartOffset, long logEndOffset, long recoveryPoint, SegmentDeleter deleter) {
        this.tp = tp;
        this.topicId = topicId;
        this.dir = dir;
        this.config = config;
        this.time = time;
        this.segments = segments;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.recoveryPoint = recoveryPoint;
        this.deleter = deleter;
        this.producerState = new ProducerStateManager(tp);
        this.lastFlushTimeMs = time.milliseconds();
    }

    /** Opens (creating or recovering) the log in {@code dir}. */
    static PartitionLog load(TopicPartition tp, Uuid topicId, Path dir, LogConfig config, Time time,
                             boolean hadCleanShutdown, Checkpoints checkpoints, SegmentDeleter deleter) throws IOException {
        LogLoader.LoadedLog loaded = LogLoader.load(dir, tp, config.indexIntervalBytes(), config.segmentIndexBytes(),
                time, hadCleanShutdown, checkpoints.recoveryPoint(), checkpoints.logStartOffset());
        long firstBase = loaded.segments().firstSegment().get().baseOffset();
        long logStartOffset = Math.min(Math.max(checkpoints.logStartOffset(), firstBase), loaded.logEndOffset());
        PartitionLog log = new PartitionLog(tp, topicId, dir, config, time, loaded.segments(), logStartOffset,
                loaded.logEndOffset(), loaded.recoveryPoint(), deleter);
        log.loadProducerState();
        log.loadLeaderEpochs();
        log.highWatermark = log.clamp(checkpoints.highWatermark());
        if (loaded.logEndOffset() > 0 || loaded.segments().numberOfSegments() > 1) {
            LOG.info("{}: loaded log with start offset {}, end offset {}, high watermark {}, {} segments", tp,
                    logStartOffset, loaded.logEndOffset(), log.highWatermark, loaded.segments().numberOfSegments());
        }
        return log;
    }

    public TopicPartition topicPartition() {
        return tp;
    }

    /** The topic id from {@code partition.metadata}; null only for a log loaded from a dir without one. */
    public Uuid topicId() {
        return topicId;
    }

    void setTopicId(Uuid topicId) {
        this.topicId = topicId;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Validates and appends one produce request's records as the leader (see {@link LogValidator} for the checks and
     * the exceptions), stamping {@code leaderEpoch} into the batch.
     *
     * <p>For an idempotent producer (producer id {@code >= 0}) a batch equal to one of its last five returns the
     * original result and writes nothing; an older epoch throws {@code InvalidProducerEpochException}; a sequence gap,
     * or a new epoch not starting at 0, throws {@code OutOfOrderSequenceException}. A batch larger than
     * {@code segment.bytes} throws {@link RecordBatchTooLargeException}. Empty records append nothing and return
     * offsets -1.
     */
    public LogAppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        if (records.sizeInBytes() == 0) {
            return new LogAppendResult(-1L, -1L, RecordBatch.NO_TIMESTAMP, logStartOffset, 0);
        }
        LogConfig cfg = config;
        long now = time.milliseconds();
        // as Kafka's analyzeAndValidateRecords: the CRC and the record walk need no log state, so they run before the
        // lock; only offset assignment, the producer checks and the write hold it
        LogValidator.ValidatedBatch validated = LogValidator.validate(records, tp, now, cfg.maxMessageBytes(),
                cfg.messageTimestampType(), cfg.messageTimestampBeforeMaxMs(), cfg.messageTimestampAfterMaxMs(),
                cfg.compact());
        lock.lock();
        try {
            checkOnline();
            // read again under the lock: LOG_APPEND_TIME and rolls must not go backwards with the offsets
            now = time.milliseconds();
            ValidationResult v = LogValidator.assignOffsets(validated, logEndOffset, leaderEpoch, now,
                    cfg.messageTimestampType());
            MutableRecordBatch batch = v.batch();
            ProducerEntry updatedProducer = null;
            if (batch.hasProducerId()) {
                Optional<BatchMetadata> duplicate = producerState.findDuplicate(batch);
                if (duplicate.isPresent()) {
                    BatchMetadata d = duplicate.get();
                    long appendTime = cfg.messageTimestampType() == TimestampType.LOG_APPEND_TIME
                            ? d.timestamp() : RecordBatch.NO_TIMESTAMP;
                    return new LogAppendResult(d.firstOffset(), d.lastOffset(), appendTime, logStartOffset,
                            d.offsetDelta() + 1);
                }
                updatedProducer = producerState.validateAppend(batch, v.firstOffset());
            }
            if (records.sizeInBytes() > cfg.segmentBytes()) {
                throw new RecordBatchTooLargeException("Message batch size is " + records.sizeInBytes() + " bytes in "
                        + "append to partition " + tp + " which exceeds the maximum configured segment size of "
                        + cfg.segmentBytes() + ".");
            }
            LogSegment segment = maybeRoll(cfg, records.sizeInBytes(), v.maxTimestamp(), v.lastOffset(), now);
            // as Kafka's maybeAssignEpochStartOffset: before the write, so the file never misses an epoch in the log
            leaderEpochCache.assign(leaderEpoch, v.firstOffset());
            segment.append(v.lastOffset(), records);
            logEndOffset = v.lastOffset() + 1;
            if (updatedProducer != null) {
                producerState.update(updatedProducer);
            }
            unflushedMessages += v.recordCount();
            if (unflushedMessages >= cfg.flushMessages()) {
                flushUnderLock();
            }
            return new LogAppendResult(v.firstOffset(), v.lastOffset(), v.logAppendTime(), logStartOffset,
                    v.recordCount());
        } catch (IOException | UncheckedIOException e) {
            throw storageError("append", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends batches replicated from the leader: offsets, epochs and timestamps are kept; each batch must be magic 2,
     * pass its CRC and start at or after the log end offset (a compacted leader log has gaps between batches).
     * Returns the new log end offset.
     */
    public long appendAsFollower(MemoryRecords records) {
        lock.lock();
        try {
            checkOnline();
            long next = logEndOffset;
            int batches = 0;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            long lastOffset = next - 1;
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                    throw new UnsupportedForMessageFormatException("Only message format v2 is supported in " + tp);
                }
                batch.ensureValid();
                // a compacted leader log has gaps between batches; offsets must still increase
                if (batch.baseOffset() < next || batch.lastOffset() < batch.baseOffset()) {
                    throw new CorruptRecordException("Non-increasing offsets in replicated batch [" + batch.baseOffset()
                            + ", " + batch.lastOffset() + "] for " + tp + " at log end offset " + next);
                }
                next = batch.nextOffset();
                lastOffset = batch.lastOffset();
                maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
                batches++;
            }
            if (batches == 0) {
                return logEndOffset;
            }
            LogSegment segment = maybeRoll(config, records.sizeInBytes(), maxTimestamp, lastOffset, time.milliseconds());
            for (MutableRecordBatch batch : records.batches()) {
                leaderEpochCache.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
            }
            segment.append(lastOffset, records);
            logEndOffset = next;
            for (MutableRecordBatch batch : records.batches()) {
                producerState.replay(batch);
            }
            return next;
        } catch (IOException | UncheckedIOException e) {
            throw storageError("append", e);
        } finally {
            lock.unlock();
        }
    }

    private LogSegment maybeRoll(LogConfig cfg, int messagesSize, long maxTimestampInMessages, long maxOffsetInMessages,
                                 long now) throws IOException {
        LogSegment active = segments.activeSegment();
        boolean reachedRollMs = active.timeWaitedForRoll(now, maxTimestampInMessages) > cfg.maxSegmentMs();
        if (active.size() > cfg.segmentBytes() - messagesSize
                || (active.size() > 0 && reachedRollMs)
                || active.offsetIndex().isFull()
                || active.timeIndex().isFull()
                || !active.canConvertToRelativeOffset(maxOffsetInMessages)) {
            return roll(logEndOffset);
        }
        return active;
    }

    /** Starts a new active segment at {@code newOffset}; the old one is trimmed and flushed (recovery point moves). */
    private LogSegment roll(long newOffset) throws IOException {
        LogSegment old = segments.activeSegment();
        if (old.baseOffset() == newOffset && old.size() == 0) {
            return old;
        }
        LogConfig cfg = config;
        old.onBecomeInactiveSegment();
        LogSegment segment = LogSegment.open(dir, newOffset, cfg.indexIntervalBytes(), cfg.segmentIndexBytes(), time);
        segments.add(segment);
        // as Kafka's roll: the producer state as of the new segment's base offset, so that a restart replays at most
        // the active segment
        producerState.takeSnapshot(dir, newOffset);
        // Kafka flushes the rolled segment asynchronously; it is written already, so the fsync is cheap here.
        old.flush();
        recoveryPoint = Math.max(recoveryPoint, newOffset);
        LOG.info("{}: rolled new segment at offset {}", tp, newOffset);
        return segment;
    }

    /**
     * Reads whole batches from {@code fetchOffset}: the batch containing it first (Kafka returns it whole), then the
     * following ones while they fit in {@code maxBytes}, never a batch with an offset {@code >= maxOffsetExclusive}
     * (the high watermark for consumers, the log end offset for followers). With {@code minOneMessage} the first batch
     * is returned even when larger than {@code maxBytes}. The result points into a segment file.
     *
     * @throws OffsetOutOfRangeException when {@code fetchOffset} is below the log start offset or above the log end
     *                                   offset
     */
    public FetchDataInfo read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
        Optional<LogSegment.Slice> slice = readSlice(fetchOffset, maxBytes, maxOffsetExclusive, minOneMessage);
        if (slice.isEmpty() || slice.get().sizeInBytes() == 0) {
            return FetchDataInfo.empty(fetchOffset);
        }
        LogSegment.Slice s = slice.get();
        return new FetchDataInfo(fetchOffset, s.log().file(), s.log().channel(), s.position(), s.sizeInBytes());
    }

    /**
     * As {@link #read}, returning the bytes as kafka-clients {@link Records} ready for a FetchResponse: a
     * {@code FileRecords} slice sharing the segment's open channel (so it stays readable for
     * {@code file.delete.delay.ms} even if retention renames the file), or {@code MemoryRecords.EMPTY}.
     */
    public Records readRecords(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
        Optional<LogSegment.Slice> slice = readSlice(fetchOffset, maxBytes, maxOffsetExclusive, minOneMessage);
        if (slice.isEmpty() || slice.get().sizeInBytes() == 0) {
            return MemoryRecords.EMPTY;
        }
        try {
            return slice.get().log().slice(slice.get().position(), slice.get().sizeInBytes());
        } catch (UncheckedIOException e) {
            throw storageError("read", e);
        }
    }

    private Optional<LogSegment.Slice> readSlice(long fetchOffset, int maxBytes, long maxOffsetExclusive,
                                                 boolean minOneMessage) {
        checkOnline();
        long endOffset = logEndOffset; // read before the segments: every byte below it is written
        long startOffset = logStartOffset;
        if (fetchOffset < startOffset || fetchOffset > endOffset) {
            throw new OffsetOutOfRangeException("Received request for offset " + fetchOffset + " for partition " + tp
                    + ", but we only have log segments in the range " + startOffset + " to " + endOffset + ".");
        }
        long limit = Math.min(maxOffsetExclusive, endOffset);
        if (fetchOffset >= limit) {
            return Optional.empty();
        }
        try {
            Optional<LogSegment> segment = segments.floorSegment(fetchOffset).or(segments::firstSegment);
            while (segment.isPresent()) {
                Optional<LogSegment.Slice> slice = segment.get().read(fetchOffset, maxBytes, limit, minOneMessage);
                if (slice.isPresent()) {
                    return slice;
                }
                segment = segments.higherSegment(segment.get().baseOffset());
            }
            return Optional.empty();
        } catch (UncheckedIOException e) {
            throw storageError("read", e);
        }
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Sets the high watermark, clamped to {@code [logStartOffset, logEndOffset]}. The server owns its progress. */
    public void updateHighWatermark(long highWatermark) {
        this.highWatermark = clamp(highWatermark);
    }

    private long clamp(long offset) {
        return Math.max(logStartOffset, Math.min(offset, logEndOffset));
    }

    /** The recovery point: every batch below it is flushed to disk. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /**
     * ListOffsets by timestamp: the first record at or after the log start offset whose timestamp is
     * {@code >= timestamp}, found through the time index of the first segment that can hold it; empty when none. The
     * caller limits the answer to the high watermark (or last stable offset) as Kafka's {@code Partition} does.
     */
    public Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        checkOnline();
        long startOffset = logStartOffset;
        try {
            for (LogSegment segment : segments.values()) {
                if (segment.largestTimestamp() < timestamp) {
                    continue;
                }
                Optional<FileRecords.TimestampAndOffset> found = segment.findOffsetByTimestamp(timestamp, startOffset);
                if (found.isPresent()) {
                    FileRecords.TimestampAndOffset t = found.get();
                    return Optional.of(new TimestampAndOffset(t.timestamp, t.offset, t.leaderEpoch));
                }
            }
            return Optional.empty();
        } catch (UncheckedIOException e) {
            throw storageError("offsetForTimestamp", e);
        }
    }

    /**
     * ListOffsets MAX_TIMESTAMP (-3): the record with the largest timestamp (the first one if several), with its
     * batch's leader epoch; {@code (-1, -1)} when no record has a timestamp.
     */
    public TimestampAndOffset maxTimestampOffset() {
        checkOnline();
        LogSegment best = null;
        for (LogSegment segment : segments.values()) {
            if (best == null || segment.maxTimestampSoFar() > best.maxTimestampSoFar()) {
                best = segment;
            }
        }
        TimestampAndOffset none = new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, -1L, Optional.empty());
        if (best == null || best.maxTimestampSoFar() < 0) {
            return none;
        }
        TimestampOffset max = best.maxTimestampAndOffsetSoFar();
        int position = best.offsetIndex().lookup(max.offset()).position();
        try {
            for (FileChannelRecordBatch batch : best.log().batchesFrom(position)) {
                if (batch.maxTimestamp() == max.timestamp()) {
                    Optional<Long> offset = batch.offsetOfMaxTimestamp();
                    if (offset.isPresent()) {
                        int epoch = batch.partitionLeaderEpoch();
                        return new TimestampAndOffset(batch.maxTimestamp(), offset.get(),
                                epoch == RecordBatch.NO_PARTITION_LEADER_EPOCH ? Optional.empty() : Optional.of(epoch));
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw storageError("maxTimestampOffset", e);
        }
        return none;
    }

    /**
     * DeleteRecords: moves the log start offset to {@code offset} ({@code -1} means the high watermark, as
     * {@code DeleteRecordsRequest.HIGH_WATERMARK}) and deletes the segments entirely below it. A smaller offset than
     * the current log start offset changes nothing.
     *
     * @return the log start offset afterwards
     * @throws OffsetOutOfRangeException when {@code offset} is above the high watermark or negative
     */
    public long deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            checkOnline();
            long target = offset == -1L ? highWatermark : offset;
            if (target < 0 || target > highWatermark) {
                throw new OffsetOutOfRangeException("Cannot increment the log start offset to " + target
                        + " of partition " + tp + " since it is larger than the high watermark " + highWatermark);
            }
            if (target > logStartOffset) {
                logStartOffset = target;
                producerState.truncateHead(target);
                leaderEpochCache.truncateFromStart(target);
                LOG.info("{}: log start offset moved to {} by DeleteRecords", tp, target);
                deleteSegments(deletableSegments((segment, next) -> next.isPresent()
                        && next.get().baseOffset() <= logStartOffset), "log start offset breach");
            }
            return logStartOffset;
        } catch (IOException | UncheckedIOException e) {
            throw storageError("deleteRecords", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retention, as Kafka's {@code deleteOldSegments}: with {@code cleanup.policy} delete, segments whose largest
     * timestamp is older than {@code retention.ms} and the oldest segments while the log exceeds
     * {@code retention.bytes}; always, segments entirely below the log start offset. Only segments entirely below
     * the high watermark go; the active segment is rolled first if it must go too. Files get a {@code .deleted} suffix
     * and are removed after {@code file.delete.delay.ms}.
     *
     * @return the number of segments deleted
     */
    public int deleteOldSegments() {
        lock.lock();
        try {
            if (closed || offline) {
                return 0;
            }
            LogConfig cfg = config;
            int deleted = deleteSegments(deletableSegments((segment, next) -> next.isPresent()
                    && next.get().baseOffset() <= logStartOffset), "log start offset breach");
            if (cfg.delete()) {
                if (cfg.retentionMs() >= 0) {
                    long now = time.milliseconds();
                    deleted += deleteSegments(deletableSegments((segment, next) ->
                            now - segment.largestTimestamp() > cfg.retentionMs()), "retention.ms breach");
                }
                if (cfg.retentionBytes() >= 0) {
                    long[] diff = {segments.sizeInBytes() - cfg.retentionBytes()};
                    deleted += deleteSegments(deletableSegments((segment, next) -> {
                        if (diff[0] - segment.size() >= 0) {
                            diff[0] -= segment.size();
                            return true;
                        }
                        return false;
                    }), "retention.bytes breach");
                }
            }
            return deleted;
        } catch (IOException | UncheckedIOException e) {
            throw storageError("retention", e);
        } finally {
            lock.unlock();
        }
    }

    /** The prefix of segments that satisfy {@code predicate}, are below the high watermark and not the empty active one. */
    private List<LogSegment> deletableSegments(BiPredicate<LogSegment, Optional<LogSegment>> predicate) {
        List<LogSegment> deletable = new ArrayList<>();
        List<LogSegment> all = segments.values();
        for (int i = 0; i < all.size(); i++) {
            LogSegment segment = all.get(i);
            Optional<LogSegment> next = i + 1 < all.size() ? Optional.of(all.get(i + 1)) : Optional.empty();
            boolean lastAndEmpty = next.isEmpty() && segment.size() == 0;
            long upperBound = next.map(LogSegment::baseOffset).orElse(logEndOffset);
            if (!lastAndEmpty && highWatermark >= upperBound && predicate.test(segment, next)) {
                deletable.add(segment);
            } else {
                break;
            }
        }
        return deletable;
    }

    private int deleteSegments(List<LogSegment> deletable, String reason) throws IOException {
        if (deletable.isEmpty()) {
            return 0;
        }
        if (deletable.size() == segments.numberOfSegments()) {
            roll(logEndOffset); // a log always keeps one segment
        }
        for (LogSegment segment : deletable) {
            segments.remove(segment.baseOffset());
            segment.changeFileSuffixes("", LogFileNames.DELETED_FILE_SUFFIX);
            deleter.deleteLater(segment, config.fileDeleteDelayMs());
            ProducerStateManager.deleteSnapshot(dir, segment.baseOffset());
        }
        long firstBase = segments.firstSegment().get().baseOffset();
        if (firstBase > logStartOffset) {
            logStartOffset = firstBase;
            producerState.truncateHead(firstBase);
            leaderEpochCache.truncateFromStart(firstBase);
        }
        if (highWatermark < logStartOffset) {
            highWatermark = logStartOffset;
        }
        LOG.info("{}: deleted {} segment(s) [{}..{}] for {}; log start offset {}", tp, deletable.size(),
                deletable.get(0).baseOffset(), deletable.get(deletable.size() - 1).baseOffset(), reason, logStartOffset);
        return deletable.size();
    }

    /**
     * Removes every batch at or after {@code offset} (a follower truncating to the leader's log); a batch containing
     * {@code offset} is removed whole, so the log end offset becomes that batch's base offset. Segments above it are
     * deleted, the high watermark and recovery point are lowered, and producer state is rebuilt from the log.
     */
    public void truncateTo(long offset) {
        lock.lock();
        try {
            checkOnline();
            if (offset >= logEndOffset) {
                return;
            }
            if (offset < logStartOffset) {
                throw new OffsetOutOfRangeException("Cannot truncate " + tp + " to " + offset
                        + " below its log start offset " + logStartOffset);
            }
            List<LogSegment> above = new ArrayList<>(segments.from(offset + 1));
            above.removeIf(s -> s.baseOffset() <= offset);
            LogSegment floor = segments.floorSegment(offset).orElseThrow();
            for (LogSegment s : above) {
                segments.remove(s.baseOffset());
                s.changeFileSuffixes("", LogFileNames.DELETED_FILE_SUFFIX);
                deleter.deleteLater(s, config.fileDeleteDelayMs());
            }
            floor.truncateTo(offset);
            floor.resizeIndexes(config.segmentIndexBytes());
            // a truncation point inside a batch removes the whole batch
            logEndOffset = floor.readNextOffset();
            recoveryPoint = Math.min(recoveryPoint, logEndOffset);
            highWatermark = Math.min(highWatermark, logEndOffset);
            leaderEpochCache.truncateFromEnd(logEndOffset);
            loadProducerState();
            LOG.info("{}: truncated to offset {}", tp, offset);
        } catch (IOException | UncheckedIOException e) {
            throw storageError("truncate", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Empties the log and restarts it at {@code newOffset}, as Kafka's {@code truncateFullyAndStartAt}: for a follower
     * whose log ends before the leader's log start (retention ran on the leader while it was away), which can only
     * fetch from the leader's start. Every segment goes (renamed {@code .deleted} first, so a new segment at the same
     * base offset cannot meet the old files), with the producer snapshots and the leader epochs.
     */
    public void truncateFullyAndStartAt(long newOffset) {
        lock.lock();
        try {
            checkOnline();
            LogConfig cfg = config;
            for (LogSegment s : List.copyOf(segments.values())) {
                segments.remove(s.baseOffset());
                s.changeFileSuffixes("", LogFileNames.DELETED_FILE_SUFFIX);
                deleter.deleteLater(s, cfg.fileDeleteDelayMs());
            }
            segments.add(LogSegment.open(dir, newOffset, cfg.indexIntervalBytes(), cfg.segmentIndexBytes(), time));
            logStartOffset = newOffset;
            logEndOffset = newOffset;
            recoveryPoint = newOffset;
            highWatermark = newOffset;
            producerState.clear();
            for (long snapshot : ProducerStateManager.snapshotOffsets(dir)) {
                ProducerStateManager.deleteSnapshot(dir, snapshot);
            }
            leaderEpochCache.truncateFromEnd(Long.MIN_VALUE);
            LOG.info("{}: truncated fully, restarting at offset {}", tp, newOffset);
        } catch (IOException | UncheckedIOException e) {
            throw storageError("truncate", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Loads {@code leader-epoch-checkpoint} and truncates it to the log that recovery kept, as Kafka's
     * {@code initializeLeaderEpochCache}; without a readable file the epochs are rebuilt from the batch headers.
     */
    private void loadLeaderEpochs() throws IOException {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        if (!cache.loaded()) {
            for (LogSegment segment : segments.values()) {
                for (FileChannelRecordBatch batch : segment.log().batches()) {
                    if (batch.lastOffset() >= logStartOffset) {
                        cache.assignWithoutFlush(batch.partitionLeaderEpoch(), Math.max(batch.baseOffset(), logStartOffset));
                    }
                }
            }
            if (cache.entries().isEmpty()) {
                cache.writeEmpty(); // a new log: nothing to fsync, the first assignment writes it durably
            } else {
                cache.flush();
            }
        }
        cache.truncateFromEnd(logEndOffset);
        cache.truncateFromStart(logStartOffset);
        leaderEpochCache = cache;
    }

    /**
     * OffsetForLeaderEpoch, as Kafka's {@code UnifiedLog.endOffsetForEpoch}: empty when the epoch is undefined or newer
     * than every epoch of the log (see {@link LeaderEpochCache#endOffsetFor}).
     */
    public Optional<EpochEndOffset> endOffsetForEpoch(int leaderEpoch) {
        checkOnline();
        LeaderEpochCache.EpochEndOffset found = leaderEpochCache.endOffsetFor(leaderEpoch, logEndOffset);
        if (found.endOffset() == LeaderEpochCache.UNDEFINED_EPOCH_OFFSET) {
            return Optional.empty();
        }
        return Optional.of(new EpochEndOffset(found.epoch(), found.endOffset()));
    }

    /**
     * Records that {@code leaderEpoch} starts at the current log end offset, as Kafka's {@code makeLeader} does when
     * this broker becomes leader: OffsetForLeaderEpoch then answers the new epoch even before its first append.
     */
    public void assignEpochStartOffsetAtLogEnd(int leaderEpoch) {
        lock.lock();
        try {
            checkOnline();
            leaderEpochCache.assign(leaderEpoch, logEndOffset);
        } catch (IOException | UncheckedIOException e) {
            throw storageError("leader epoch checkpoint", e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- compaction (see LogCleaner)

    long firstDirtyOffset() {
        return Math.max(firstDirtyOffset, logStartOffset);
    }

    void setFirstDirtyOffset(long offset) {
        firstDirtyOffset = offset;
    }

    long earliestDeleteHorizonMs() {
        return earliestDeleteHorizonMs;
    }

    void setEarliestDeleteHorizonMs(long horizonMs) {
        earliestDeleteHorizonMs = horizonMs;
    }

    boolean isClosedOrOffline() {
        return closed || offline;
    }

    /** The segments, oldest first (the last one is the active segment). */
    List<LogSegment> segmentList() {
        return segments.values();
    }

    /**
     * The first offset the cleaner must not touch, as Kafka's {@code firstUncleanableDirtyOffset}: the active segment,
     * the high watermark, and the first segment with a record younger than {@code min.compaction.lag.ms}.
     */
    long firstUncleanableOffset(long now) {
        LogConfig cfg = config;
        long bound = Math.min(segments.activeSegment().baseOffset(), highWatermark);
        if (cfg.compaction().minCompactionLagMs() > 0) {
            for (LogSegment segment : segments.values()) {
                if (segment.baseOffset() >= bound) {
                    break;
                }
                if (segment.largestTimestamp() > now - cfg.compaction().minCompactionLagMs()) {
                    bound = Math.min(bound, segment.baseOffset());
                    break;
                }
            }
        }
        return bound;
    }

    /** Producer id to the last offset of its last batch: the cleaner keeps those batches (as Kafka, for sequences). */
    Map<Long, Long> lastDataOffsetsOfProducers() {
        Map<Long, Long> result = new HashMap<>();
        for (ProducerStateEntry e : producerState.activeProducers()) {
            producerState.entry(e.producerId()).ifPresent(p -> result.put(p.producerId(), p.lastDataOffset()));
        }
        return result;
    }

    /**
     * Replaces {@code old} by the cleaned copy of it in {@code cleaned} (same base offset), as Kafka's
     * {@code replaceSegments}: the cleaned file (complete and fsynced) is renamed {@code <offset>.log.swap}, the old
     * files get {@code .deleted} (removed after {@code file.delete.delay.ms}, so reads in flight finish), and the swap
     * file becomes {@code <offset>.log} with rebuilt indexes. A crash at any point leaves the old segment or a swap
     * file that {@code LogLoader} completes. Does nothing (and deletes {@code cleaned}) when the segment is no longer
     * part of the log (retention or truncation removed it meanwhile).
     *
     * @return true when replaced
     */
    boolean replaceCleanedSegment(LogSegment old, Path cleaned) {
        lock.lock();
        try {
            if (closed || offline || segments.floorSegment(old.baseOffset()).orElse(null) != old
                    || segments.activeSegment() == old) {
                Files.deleteIfExists(cleaned);
                return false;
            }
            LogConfig cfg = config;
            long base = old.baseOffset();
            Path swap = dir.resolve(LogFileNames.filenamePrefixFromOffset(base) + LogFileNames.LOG_FILE_SUFFIX
                    + LogFileNames.SWAP_FILE_SUFFIX);
            Files.move(cleaned, swap, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(dir);
            old.changeFileSuffixes("", LogFileNames.DELETED_FILE_SUFFIX);
            Files.move(swap, LogFileNames.logFile(dir, base).toPath(),
                    StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(dir);
            LogSegment fresh = LogSegment.open(dir, base, cfg.indexIntervalBytes(), cfg.segmentIndexBytes(), time);
            fresh.recover(cfg.segmentIndexBytes(), batch -> { });
            fresh.loadLargestTimestamp();
            fresh.onBecomeInactiveSegment();
            fresh.flush();
            segments.add(fresh);
            deleter.deleteLater(old, cfg.fileDeleteDelayMs());
            return true;
        } catch (IOException | UncheckedIOException e) {
            throw storageError("segment swap after cleaning", e);
        } finally {
            lock.unlock();
        }
    }

    /** The newest leader epoch of the log, if any batch carries one. */
    public Optional<Integer> latestEpoch() {
        OptionalInt latest = leaderEpochCache.latestEpoch();
        return latest.isPresent() ? Optional.of(latest.getAsInt()) : Optional.empty();
    }

    /**
     * Loads the producer state as Kafka's {@code rebuildProducerState}: the newest valid snapshot at or below the log
     * end offset, then the batches from its offset (from the log start offset without one) replayed from the log.
     */
    private void loadProducerState() throws IOException {
        OptionalLong snapshot = producerState.loadLatestSnapshot(dir, logStartOffset, logEndOffset);
        long from = Math.max(logStartOffset, snapshot.orElse(logStartOffset));
        int replayed = 0;
        long firstSegment = segments.floorSegment(from).map(LogSegment::baseOffset)
                .orElse(segments.firstSegment().get().baseOffset());
        for (LogSegment segment : segments.from(firstSegment)) {
            int position = segment.baseOffset() == firstSegment ? segment.offsetIndex().lookup(from).position() : 0;
            for (FileChannelRecordBatch batch : segment.log().batchesFrom(position)) {
                if (batch.lastOffset() >= from) {
                    producerState.replay(batch);
                    replayed++;
                }
            }
        }
        producerState.truncateHead(logStartOffset);
        if (snapshot.isPresent() || replayed > 0) {
            LOG.info("{}: loaded producer state from {} and {} batches from offset {}", tp,
                    snapshot.isPresent() ? "the snapshot at offset " + snapshot.getAsLong() : "no snapshot", replayed, from);
        }
    }

    /** Replaces the config; new segment and index sizes apply from the next roll. */
    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    public LogConfig config() {
        return config;
    }

    /** Total bytes of the segment files. */
    public long sizeInBytes() {
        return segments.sizeInBytes();
    }

    public int numberOfSegments() {
        return segments.numberOfSegments();
    }

    /** The producers with state, for DescribeProducers. */
    public List<ProducerStateEntry> activeProducers() {
        return producerState.activeProducers();
    }

    /** Removes producers idle for {@code expirationMs} ({@code producer.id.expiration.ms}, default one day). */
    public void removeExpiredProducers(long expirationMs) {
        lock.lock();
        try {
            producerState.removeExpiredProducers(time.milliseconds(), expirationMs);
        } finally {
            lock.unlock();
        }
    }

    /** Fsyncs every segment written since the recovery point, and moves the recovery point to the log end offset. */
    public void flush() {
        checkOnline();
        long endOffset = logEndOffset;
        synchronized (flushLock) {
            if (endOffset <= recoveryPoint) {
                return;
            }
            try {
                long from = segments.floorSegment(recoveryPoint).map(LogSegment::baseOffset).orElse(0L);
                for (LogSegment segment : segments.from(from)) {
                    segment.flush();
                }
            } catch (IOException | UncheckedIOException e) {
                throw storageError("flush", e);
            }
            recoveryPoint = Math.max(recoveryPoint, endOffset);
            lastFlushTimeMs = time.milliseconds();
        }
    }

    private void flushUnderLock() {
        flush();
        unflushedMessages = 0;
    }

    /** Flushes when {@code flush.ms} has passed since the last flush (called by the log manager's scheduler). */
    void maybeFlushByTime() {
        if (closed || offline) {
            return;
        }
        LogConfig cfg = config;
        if (cfg.flushMs() != Long.MAX_VALUE && time.milliseconds() - lastFlushTimeMs >= cfg.flushMs()) {
            lock.lock();
            try {
                flushUnderLock();
            } finally {
                lock.unlock();
            }
        }
    }

    public boolean isOffline() {
        return offline;
    }

    void setStorageErrorListener(StorageErrorListener listener) {
        this.storageErrorListener = listener;
    }

    /**
     * Takes the log offline without touching its files: another log of the same dir had an I/O error. Lock-free, so
     * that a failing log can take its neighbours offline while it holds its own lock.
     */
    void markOffline() {
        offline = true;
    }

    /** Flushes and closes every segment (trimming the indexes). Later calls fail. */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (!offline) {
                flush();
                try {
                    // as Kafka's close: the next clean start loads this and replays nothing
                    producerState.takeSnapshot(dir, logEndOffset);
                } catch (IOException e) {
                    LOG.warn("{}: could not write the producer state snapshot at offset {}", tp, logEndOffset, e);
                }
            }
            closed = true;
            for (LogSegment segment : segments.values()) {
                try {
                    segment.close();
                } catch (IOException e) {
                    LOG.warn("{}: failed to close segment {}", tp, segment.baseOffset(), e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOnline() {
        if (offline) {
            throw new KafkaStorageException("The log of " + tp + " is offline after an I/O error");
        }
        if (closed) {
            throw new KafkaStorageException("The log of " + tp + " is closed");
        }
    }

    private KafkaStorageException storageError(String operation, Exception e) {
        offline = true;
        LOG.error("{}: I/O error during {} in {}; the log is now offline", tp, operation, dir, e);
        storageErrorListener.onStorageError(this, e);
        return new KafkaStorageException("I/O error during " + operation + " of " + tp, e);
    }

    @Override
    public String toString() {
        return "PartitionLog(" + tp + ", logStartOffset=" + logStartOffset + ", logEndOffset=" + logEndOffset
                + ", highWatermark=" + highWatermark + ")";
    }
}
