package io.sluice.storage;

import org.apache.kafka.common.record.TimestampType;

/**
 * The effective configuration of one log: topic overrides on top of broker defaults, resolved by the server.
 * Field names follow Kafka's topic configs (named in each parameter). Immutable; a change is a new instance given to
 * {@link PartitionLog#updateConfig}.
 *
 * @param segmentBytes                 {@code segment.bytes}: roll the active segment when it would exceed this size
 * @param segmentMs                    {@code segment.ms}: roll the active segment when its first batch is this old
 * @param segmentIndexBytes            {@code segment.index.bytes}: maximum size of an offset or time index file
 * @param indexIntervalBytes           {@code index.interval.bytes}: bytes appended between two offset index entries
 * @param maxMessageBytes              {@code max.message.bytes}: largest record batch accepted, in bytes
 * @param messageTimestampType         {@code message.timestamp.type}: CREATE_TIME or LOG_APPEND_TIME
 * @param messageTimestampBeforeMaxMs  {@code message.timestamp.before.max.ms}: how far in the past a timestamp may be
 * @param messageTimestampAfterMaxMs   {@code message.timestamp.after.max.ms}: how far in the future a timestamp may be
 * @param retentionMs                  {@code retention.ms}: delete segments older than this, -1 = unlimited
 * @param retentionBytes               {@code retention.bytes}: delete oldest segments while the log is larger, -1 = unlimited
 * @param compact                      {@code cleanup.policy} contains {@code compact}
 * @param delete                       {@code cleanup.policy} contains {@code delete}
 * @param fileDeleteDelayMs            {@code file.delete.delay.ms}: how long a {@code .deleted} file is kept
 * @param flushMessages                {@code flush.messages}: fsync after this many messages
 * @param flushMs                      {@code flush.ms}: fsync when the last flush is this old
 * @param compaction                   the compaction settings, used when {@code compact}
 * @param minInSyncReplicas            {@code min.insync.replicas}: the smallest ISR an acks=all append is taken
 *                                     with; a topic config in Kafka's {@code LogConfig} too, though the log
 *                                     itself never reads it
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        int segmentIndexBytes,
        int indexIntervalBytes,
        int maxMessageBytes,
        TimestampType messageTimestampType,
        long messageTimestampBeforeMaxMs,
        long messageTimestampAfterMaxMs,
        long retentionMs,
        long retentionBytes,
        boolean compact,
        boolean delete,
        long fileDeleteDelayMs,
        long flushMessages,
        long flushMs,
        Compaction compaction,
        int minInSyncReplicas) {

    /**
     * The topic configs of compaction, as Kafka's.
     *
     * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: clean when dirty bytes / all bytes reach this
     * @param minCompactionLagMs     {@code min.compaction.lag.ms}: records younger than this stay uncompacted
     * @param maxCompactionLagMs     {@code max.compaction.lag.ms}: a dirty record older than this forces a cleaning
     * @param deleteRetentionMs      {@code delete.retention.ms}: how long a cleaned tombstone is still served
     */
    public record Compaction(double minCleanableDirtyRatio, long minCompactionLagMs, long maxCompactionLagMs,
                             long deleteRetentionMs) {
        /** Kafka's defaults: 0.5, 0, Long.MAX_VALUE, one day. */
        public static final Compaction DEFAULTS = new Compaction(0.5, 0L, Long.MAX_VALUE, 86_400_000L);

        public Compaction {
            if (minCleanableDirtyRatio < 0 || minCleanableDirtyRatio > 1 || minCompactionLagMs < 0
                    || maxCompactionLagMs < 1 || deleteRetentionMs < 0) {
                throw new IllegalArgumentException("invalid compaction config " + this);
            }
        }
    }

    /** Without compaction settings: Kafka's defaults for them. */
    public LogConfig(int segmentBytes, long segmentMs, int segmentIndexBytes, int indexIntervalBytes,
                     int maxMessageBytes, TimestampType messageTimestampType, long messageTimestampBeforeMaxMs,
                     long messageTimestampAfterMaxMs, long retentionMs, long retentionBytes, boolean compact,
                     boolean delete, long fileDeleteDelayMs, long flushMessages, long flushMs) {
        this(segmentBytes, segmentMs, segmentIndexBytes, indexIntervalBytes, maxMessageBytes, messageTimestampType,
                messageTimestampBeforeMaxMs, messageTimestampAfterMaxMs, retentionMs, retentionBytes, compact, delete,
                fileDeleteDelayMs, flushMessages, flushMs, Compaction.DEFAULTS, 1);
    }

    /** With {@code min.insync.replicas} at Kafka's default, 1. */
    public LogConfig(int segmentBytes, long segmentMs, int segmentIndexBytes, int indexIntervalBytes,
                     int maxMessageBytes, TimestampType messageTimestampType, long messageTimestampBeforeMaxMs,
                     long messageTimestampAfterMaxMs, long retentionMs, long retentionBytes, boolean compact,
                     boolean delete, long fileDeleteDelayMs, long flushMessages, long flushMs, Compaction compaction) {
        this(segmentBytes, segmentMs, segmentIndexBytes, indexIntervalBytes, maxMessageBytes, messageTimestampType,
                messageTimestampBeforeMaxMs, messageTimestampAfterMaxMs, retentionMs, retentionBytes, compact, delete,
                fileDeleteDelayMs, flushMessages, flushMs, compaction, 1);
    }

    /** This config with other compaction settings. */
    public LogConfig withCompaction(Compaction compaction) {
        return new LogConfig(segmentBytes, segmentMs, segmentIndexBytes, indexIntervalBytes, maxMessageBytes,
                messageTimestampType, messageTimestampBeforeMaxMs, messageTimestampAfterMaxMs, retentionMs,
                retentionBytes, compact, delete, fileDeleteDelayMs, flushMessages, flushMs, compaction,
                minInSyncReplicas);
    }

    /** This config with another {@code min.insync.replicas}. */
    public LogConfig withMinInSyncReplicas(int minInSyncReplicas) {
        return new LogConfig(segmentBytes, segmentMs, segmentIndexBytes, indexIntervalBytes, maxMessageBytes,
                messageTimestampType, messageTimestampBeforeMaxMs, messageTimestampAfterMaxMs, retentionMs,
                retentionBytes, compact, delete, fileDeleteDelayMs, flushMessages, flushMs, compaction,
                minInSyncReplicas);
    }

    /**
     * The age at which the active segment rolls: {@code segment.ms}, or less on a compacted log with a
     * {@code max.compaction.lag.ms} below it (Kafka's {@code maxSegmentMs}), since the active segment is never cleaned.
     */
    public long maxSegmentMs() {
        return compact && compaction.maxCompactionLagMs() > 0 ? Math.min(compaction.maxCompactionLagMs(), segmentMs)
                : segmentMs;
    }

    public static final int DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
    public static final long DEFAULT_SEGMENT_MS = 7 * 24 * 60 * 60 * 1000L;
    public static final int DEFAULT_SEGMENT_INDEX_BYTES = 10 * 1024 * 1024;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12; // 1048588, as Kafka
    public static final long DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000L;
    public static final long DEFAULT_TIMESTAMP_AFTER_MAX_MS = 60 * 60 * 1000L; // Kafka 4.x (KIP-937)
    public static final long DEFAULT_FILE_DELETE_DELAY_MS = 60_000L;

    public LogConfig {
        if (compaction == null) {
            compaction = Compaction.DEFAULTS;
        }
        if (messageTimestampType == null || messageTimestampType == TimestampType.NO_TIMESTAMP_TYPE) {
            throw new IllegalArgumentException("message.timestamp.type must be CREATE_TIME or LOG_APPEND_TIME");
        }
        // Kafka's minimums: segment.bytes >= 14 (one batch header), segment.index.bytes >= 4 (one entry).
        if (segmentBytes < 14) {
            throw new IllegalArgumentException("segment.bytes must be at least 14, was " + segmentBytes);
        }
        if (segmentIndexBytes < 12) {
            throw new IllegalArgumentException("segment.index.bytes must be at least 12, was " + segmentIndexBytes);
        }
        if (segmentMs < 1 || indexIntervalBytes < 0 || maxMessageBytes < 0 || fileDeleteDelayMs < 0
                || flushMessages < 1 || flushMs < 0 || messageTimestampBeforeMaxMs < 0 || messageTimestampAfterMaxMs < 0
                || minInSyncReplicas < 1) {
            throw new IllegalArgumentException("invalid log config " + this);
        }
    }

    /** Kafka's defaults for every topic config. */
    public static LogConfig defaults() {
        return new LogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_MS, DEFAULT_SEGMENT_INDEX_BYTES,
                DEFAULT_INDEX_INTERVAL_BYTES, DEFAULT_MAX_MESSAGE_BYTES, TimestampType.CREATE_TIME,
                Long.MAX_VALUE, DEFAULT_TIMESTAMP_AFTER_MAX_MS, DEFAULT_RETENTION_MS, -1L,
                false, true, DEFAULT_FILE_DELETE_DELAY_MS, Long.MAX_VALUE, Long.MAX_VALUE);
    }
}
