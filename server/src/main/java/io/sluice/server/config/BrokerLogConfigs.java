package io.sluice.server.config;

import io.sluice.storage.LogConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * The broker-side defaults of the topic configs ({@code log.*}, {@code message.max.bytes},
 * {@code compression.type}, ...) and the other log configs of {@code server.properties}, with Kafka 4.3's
 * names, types, defaults and validators (Kafka's {@code ServerLogConfigs}, {@code CleanerConfig},
 * {@code ReplicationConfigs}). Used by {@link BrokerConfig}; stateless.
 */
final class BrokerLogConfigs {

    private BrokerLogConfigs() {
    }

    static ConfigDef define(ConfigDef def) {
        return def
                .define("log.segment.bytes", Type.INT, LogConfig.DEFAULT_SEGMENT_BYTES, Range.atLeast(1024 * 1024),
                        Importance.HIGH, "The maximum size of a single log file.")
                .define("log.roll.ms", Type.LONG, null, Importance.HIGH,
                        "The maximum time before a new log segment is rolled out (in milliseconds). If not set, "
                                + "the value in log.roll.hours is used.")
                .define("log.roll.hours", Type.INT, 168, Range.atLeast(1), Importance.HIGH,
                        "The maximum time before a new log segment is rolled out (in hours), secondary to "
                                + "log.roll.ms.")
                .define("log.roll.jitter.ms", Type.LONG, null, Importance.HIGH,
                        "The maximum jitter to subtract from logRollTimeMillis (in milliseconds). If not set, the "
                                + "value in log.roll.jitter.hours is used.")
                .define("log.roll.jitter.hours", Type.INT, 0, Range.atLeast(0), Importance.HIGH,
                        "The maximum jitter to subtract from logRollTimeMillis (in hours), secondary to "
                                + "log.roll.jitter.ms.")
                .define("log.retention.ms", Type.LONG, null, Importance.HIGH,
                        "The number of milliseconds to keep a log file before deleting it. If not set, the value "
                                + "in log.retention.minutes is used. If set to -1, no time limit is applied.")
                .define("log.retention.minutes", Type.INT, null, Importance.HIGH,
                        "The number of minutes to keep a log file before deleting it, secondary to "
                                + "log.retention.ms. If not set, the value in log.retention.hours is used.")
                .define("log.retention.hours", Type.INT, 168, Importance.HIGH,
                        "The number of hours to keep a log file before deleting it, tertiary to log.retention.ms.")
                .define("log.retention.bytes", Type.LONG, -1L, Importance.HIGH,
                        "The maximum size of the log before deleting it.")
                .define("log.retention.check.interval.ms", Type.LONG, 300_000L, Range.atLeast(1), Importance.MEDIUM,
                        "The frequency in milliseconds that the log cleaner checks whether any log is eligible "
                                + "for deletion.")
                .define("log.cleanup.policy", Type.LIST, "delete", ValidList.in(true, "compact", "delete"),
                        Importance.MEDIUM, "The default cleanup policy for segments beyond the retention window. "
                                + "A comma separated list of valid policies.")
                .define("log.cleaner.enable", Type.BOOLEAN, true, Importance.MEDIUM,
                        "Enable the log cleaner process to run on the server.")
                .define("log.cleaner.delete.retention.ms", Type.LONG, 86_400_000L, Range.atLeast(0),
                        Importance.MEDIUM, "The amount of time to retain tombstone message markers for log "
                                + "compacted topics.")
                .define("log.cleaner.min.compaction.lag.ms", Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                        "The minimum time a message will remain uncompacted in the log.")
                .define("log.cleaner.max.compaction.lag.ms", Type.LONG, Long.MAX_VALUE, Range.atLeast(1),
                        Importance.MEDIUM, "The maximum time a message will remain ineligible for compaction in "
                                + "the log.")
                .define("log.cleaner.min.cleanable.ratio", Type.DOUBLE, 0.5, Range.between(0, 1), Importance.MEDIUM,
                        "The minimum ratio of dirty log to total log for a log to be eligible for cleaning.")
                .define("log.cleaner.threads", Type.INT, 1, Range.atLeast(0), Importance.MEDIUM,
                        "The number of background threads to use for log cleaning.")
                .define("log.cleaner.backoff.ms", Type.LONG, 15_000L, Range.atLeast(0), Importance.MEDIUM,
                        "The amount of time to sleep when there are no logs to clean.")
                .define("log.cleaner.dedupe.buffer.size", Type.LONG, 128L * 1024 * 1024, Importance.MEDIUM,
                        "The total memory used for log deduplication across all cleaner threads.")
                .define("log.cleaner.io.buffer.size", Type.INT, 512 * 1024, Range.atLeast(0), Importance.MEDIUM,
                        "The total memory used for log cleaner I/O buffers across all cleaner threads.")
                .define("log.cleaner.io.buffer.load.factor", Type.DOUBLE, 0.9, Importance.MEDIUM,
                        "Log cleaner dedupe buffer load factor: how full the dedupe buffer may become.")
                .define("log.index.size.max.bytes", Type.INT, LogConfig.DEFAULT_SEGMENT_INDEX_BYTES, Range.atLeast(4),
                        Importance.MEDIUM, "The maximum size in bytes of the offset index.")
                .define("log.index.interval.bytes", Type.INT, LogConfig.DEFAULT_INDEX_INTERVAL_BYTES,
                        Range.atLeast(0), Importance.MEDIUM,
                        "The interval with which we add an entry to the offset index.")
                .define("log.flush.interval.messages", Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.HIGH,
                        "The number of messages accumulated on a log partition before messages are flushed to disk.")
                .define("log.segment.delete.delay.ms", Type.LONG, LogConfig.DEFAULT_FILE_DELETE_DELAY_MS,
                        Range.atLeast(0), Importance.HIGH,
                        "The amount of time to wait before deleting a file from the filesystem.")
                .define("log.flush.scheduler.interval.ms", Type.LONG, Long.MAX_VALUE, Importance.HIGH,
                        "The frequency in ms that the log flusher checks whether any log needs to be flushed to disk.")
                .define("log.flush.interval.ms", Type.LONG, null, Importance.HIGH,
                        "The maximum time in ms that a message in any topic is kept in memory before flushed to "
                                + "disk. If not set, the value in log.flush.scheduler.interval.ms is used.")
                .define("log.flush.offset.checkpoint.interval.ms", Type.INT, 60_000, Range.atLeast(0), Importance.HIGH,
                        "The frequency with which we update the persistent record of the last flush which acts as "
                                + "the log recovery point.")
                .define("log.flush.start.offset.checkpoint.interval.ms", Type.INT, 60_000, Range.atLeast(0),
                        Importance.HIGH, "The frequency with which we update the persistent record of log start "
                                + "offset.")
                .define("log.preallocate", Type.BOOLEAN, false, Importance.MEDIUM,
                        "Should pre allocate file when create new segment?")
                .define("num.recovery.threads.per.data.dir", Type.INT, 2, Range.atLeast(1), Importance.HIGH,
                        "The number of threads per data directory to be used for log recovery at startup and "
                                + "flushing at shutdown.")
                .define("min.insync.replicas", Type.INT, 1, Range.atLeast(1), Importance.HIGH,
                        "The minimum number of replicas that must acknowledge a write for it to be considered "
                                + "successful when a producer sets acks to all.")
                .define("unclean.leader.election.enable", Type.BOOLEAN, false, Importance.HIGH,
                        "Indicates whether to enable replicas not in the ISR set to be elected as leader as a last "
                                + "resort, even though doing so may result in data loss.")
                .define("message.max.bytes", Type.INT, LogConfig.DEFAULT_MAX_MESSAGE_BYTES, Range.atLeast(0),
                        Importance.HIGH, "The largest record batch size allowed by Kafka (after compression if "
                                + "compression is enabled).")
                .define("compression.type", Type.STRING, "producer",
                        ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), Importance.HIGH,
                        "Specify the final compression type for a given topic.")
                .define("compression.gzip.level", Type.INT, -1, TopicConfigs.configKey("compression.gzip.level")
                        .orElseThrow().validator, Importance.MEDIUM, "The compression level to use if "
                                + "compression.type is set to gzip.")
                .define("compression.lz4.level", Type.INT, 9, Range.between(1, 17), Importance.MEDIUM,
                        "The compression level to use if compression.type is set to lz4.")
                .define("compression.zstd.level", Type.INT, 3, Range.between(-131072, 22), Importance.MEDIUM,
                        "The compression level to use if compression.type is set to zstd.")
                .define("log.message.timestamp.type", Type.STRING, "CreateTime",
                        ValidString.in("CreateTime", "LogAppendTime"), Importance.MEDIUM,
                        "Define whether the timestamp in the message is message create time or log append time.")
                .define("log.message.timestamp.before.max.ms", Type.LONG, Long.MAX_VALUE, Range.atLeast(0),
                        Importance.MEDIUM, "The maximum allowed difference between the broker's timestamp and the "
                                + "message timestamp when the message timestamp is earlier.")
                .define("log.message.timestamp.after.max.ms", Type.LONG, LogConfig.DEFAULT_TIMESTAMP_AFTER_MAX_MS,
                        Range.atLeast(0), Importance.MEDIUM, "The maximum allowed difference between the message "
                                + "timestamp and the broker's timestamp when the message timestamp is later.")
                .define("log.local.retention.ms", Type.LONG, -2L, Range.atLeast(-2), Importance.MEDIUM,
                        "The number of milliseconds to keep the local log segments before it gets eligible for "
                                + "deletion (tiered storage).")
                .define("log.local.retention.bytes", Type.LONG, -2L, Range.atLeast(-2), Importance.MEDIUM,
                        "The maximum size of local log segments that can grow for a partition before it gets "
                                + "eligible for deletion (tiered storage).");
    }
}
