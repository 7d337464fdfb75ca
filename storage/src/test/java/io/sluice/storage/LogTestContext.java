package io.sluice.storage;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: a {@link LogManager} on a temp dir with a manual clock, one partition, and helpers to build produce
 * batches and read back what was stored.
 */
public final class LogTestContext implements AutoCloseable {
    public static final long START_MS = 1_700_000_000_000L;
    public static final TopicPartition TP = new TopicPartition("my-topic", 0);
    public static final Uuid TOPIC_ID = Uuid.randomUuid();

    public final Path logDir;
    public final ManualTime time;
    public LogManager manager;
    public PartitionLog log;
    private LogConfig config;

    public LogTestContext(Path logDir, LogConfig config) throws IOException {
        this.logDir = logDir;
        this.time = new ManualTime(START_MS);
        this.config = config;
        start();
    }

    /** Starts (again) a log manager on the same dir and opens the partition. */
    public void start() throws IOException {
        manager = new LogManager(List.of(logDir), time, config);
        manager.startup();
        log = manager.getOrCreate(TP, TOPIC_ID, config);
    }

    /** Closes cleanly and starts again. */
    public void restart() throws IOException {
        manager.close();
        start();
    }

    public static LogConfig config(int segmentBytes, int indexIntervalBytes) {
        LogConfig d = LogConfig.defaults();
        return new LogConfig(segmentBytes, d.segmentMs(), d.segmentIndexBytes(), indexIntervalBytes,
                d.maxMessageBytes(), d.messageTimestampType(), d.messageTimestampBeforeMaxMs(),
                d.messageTimestampAfterMaxMs(), d.retentionMs(), d.retentionBytes(), d.compact(), d.delete(), 0L,
                d.flushMessages(), d.flushMs());
    }

    public static LogConfig withTimestampType(LogConfig c, TimestampType type) {
        return new LogConfig(c.segmentBytes(), c.segmentMs(), c.segmentIndexBytes(), c.indexIntervalBytes(),
                c.maxMessageBytes(), type, c.messageTimestampBeforeMaxMs(), c.messageTimestampAfterMaxMs(),
                c.retentionMs(), c.retentionBytes(), c.compact(), c.delete(), c.fileDeleteDelayMs(), c.flushMessages(),
                c.flushMs());
    }

    public static LogConfig withRetention(LogConfig c, long retentionMs, long retentionBytes, long fileDeleteDelayMs) {
        return new LogConfig(c.segmentBytes(), c.segmentMs(), c.segmentIndexBytes(), c.indexIntervalBytes(),
                c.maxMessageBytes(), c.messageTimestampType(), c.messageTimestampBeforeMaxMs(),
                c.messageTimestampAfterMaxMs(), retentionMs, retentionBytes, c.compact(), c.delete(), fileDeleteDelayMs,
                c.flushMessages(), c.flushMs());
    }

    public static LogConfig withCompact(LogConfig c) {
        return new LogConfig(c.segmentBytes(), c.segmentMs(), c.segmentIndexBytes(), c.indexIntervalBytes(),
                c.maxMessageBytes(), c.messageTimestampType(), c.messageTimestampBeforeMaxMs(),
                c.messageTimestampAfterMaxMs(), c.retentionMs(), c.retentionBytes(), true, false, c.fileDeleteDelayMs(),
                c.flushMessages(), c.flushMs());
    }

    public static LogConfig withMaxMessageBytes(LogConfig c, int maxMessageBytes) {
        return new LogConfig(c.segmentBytes(), c.segmentMs(), c.segmentIndexBytes(), c.indexIntervalBytes(),
                maxMessageBytes, c.messageTimestampType(), c.messageTimestampBeforeMaxMs(),
                c.messageTimestampAfterMaxMs(), c.retentionMs(), c.retentionBytes(), c.compact(), c.delete(),
                c.fileDeleteDelayMs(), c.flushMessages(), c.flushMs());
    }

    /** A batch of {@code count} keyed records with timestamps {@code timestamp, timestamp+1, ...}. */
    public static MemoryRecords batch(Compression compression, long timestamp, int count) {
        return MemoryRecords.withRecords(compression, records(timestamp, count));
    }

    public static SimpleRecord[] records(long timestamp, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(timestamp + i, ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    ("value-" + timestamp + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    public static MemoryRecords idempotent(long producerId, short epoch, int baseSequence, long timestamp, int count) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence,
                records(timestamp, count));
    }

    public LogAppendResult append(MemoryRecords records) {
        return log.appendAsLeader(records, 5);
    }

    /** Every record of the log from {@code offset} to the log end offset, read through {@link PartitionLog#read}. */
    public List<Record> readAll(long offset) throws IOException {
        List<Record> out = new ArrayList<>();
        long next = offset;
        while (next < log.logEndOffset()) {
            FetchDataInfo info = log.read(next, 1 << 20, Long.MAX_VALUE, true);
            if (info.file() == null) {
                break;
            }
            // closeHandlers, not close: FileRecords.close() trims the file to the size it saw at open
            FileRecords file = FileRecords.open(info.file(), false);
            try {
                FileRecords slice = file.slice((int) info.position(), info.sizeInBytes());
                for (RecordBatch batch : slice.batches()) {
                    batch.ensureValid();
                    for (Record r : batch) {
                        if (r.offset() >= next) {
                            out.add(r);
                        }
                    }
                    next = batch.nextOffset();
                }
            } finally {
                file.closeHandlers();
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
