package io.sluice.storage;

import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code flush.messages} and {@code flush.ms}, seen through the recovery point: it moves to the log end offset exactly
 * when the log fsyncs (and stays below the active segment otherwise, as Kafka leaves flushing to the OS by default).
 */
class FlushPolicyTest {
    @TempDir
    Path dir;

    /** One large segment, so that no roll flushes anything. */
    private static LogConfig flushConfig(long flushMessages, long flushMs) {
        LogConfig c = LogTestContext.config(1024 * 1024, 4096);
        return new LogConfig(c.segmentBytes(), c.segmentMs(), c.segmentIndexBytes(), c.indexIntervalBytes(),
                c.maxMessageBytes(), c.messageTimestampType(), c.messageTimestampBeforeMaxMs(),
                c.messageTimestampAfterMaxMs(), c.retentionMs(), c.retentionBytes(), c.compact(), c.delete(),
                c.fileDeleteDelayMs(), flushMessages, flushMs);
    }

    @Test
    void byDefaultAppendsAreNotFsyncedByTheLog() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, flushConfig(Long.MAX_VALUE, Long.MAX_VALUE))) {
            for (int i = 0; i < 10; i++) {
                ctx.append(batch(Compression.NONE, START_MS + i, 3));
            }
            assertEquals(30, ctx.log.logEndOffset());
            assertEquals(0, ctx.log.recoveryPoint());
            ctx.time.advance(3_600_000L);
            ctx.log.maybeFlushByTime();
            assertEquals(0, ctx.log.recoveryPoint(), "flush.ms is unlimited by default");
        }
    }

    @Test
    void flushMessagesOneFsyncsEveryAppend() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, flushConfig(1, Long.MAX_VALUE))) {
            for (int i = 0; i < 10; i++) {
                ctx.append(batch(Compression.NONE, START_MS + i, 1 + i % 3));
                assertEquals(ctx.log.logEndOffset(), ctx.log.recoveryPoint(), "after append " + i);
            }
        }
    }

    @Test
    void flushMessagesCountsRecordsSinceTheLastFlush() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, flushConfig(5, Long.MAX_VALUE))) {
            // batches of 2 records: the count reaches 5 at the third batch (6 records), then again three batches later
            long[] expected = {0, 0, 6, 6, 6, 12, 12, 12, 18};
            for (int i = 0; i < expected.length; i++) {
                ctx.append(batch(Compression.NONE, START_MS + i, 2));
                assertEquals(expected[i], ctx.log.recoveryPoint(), "after batch " + i);
            }
        }
    }

    @Test
    void flushMsFsyncsWhenTheLastFlushIsThatOld() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, flushConfig(Long.MAX_VALUE, 1000))) {
            ctx.append(batch(Compression.NONE, START_MS, 4));
            ctx.time.advance(999);
            ctx.log.maybeFlushByTime();
            assertEquals(0, ctx.log.recoveryPoint(), "the last flush (the log's creation) is 999 ms old");
            ctx.time.advance(1);
            ctx.log.maybeFlushByTime();
            assertEquals(4, ctx.log.recoveryPoint());

            ctx.append(batch(Compression.NONE, START_MS, 2));
            ctx.time.advance(500);
            ctx.log.maybeFlushByTime();
            assertEquals(4, ctx.log.recoveryPoint(), "500 ms since the last flush");
            ctx.time.advance(500);
            ctx.log.maybeFlushByTime();
            assertEquals(6, ctx.log.recoveryPoint());
        }
    }
}
