package io.sluice.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Readers never take the append lock: they must only ever see whole, valid batches while segments roll. */
class ConcurrentReadTest {
    @TempDir
    Path dir;

    @Test
    void readersSeeOnlyCompleteBatchesWhileTheWriterAppendsAndRolls() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(4096, 128))) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    while (!done.get()) {
                        long end = ctx.log.logEndOffset();
                        List<Record> records = ctx.readAll(Math.max(0, end - 50));
                        for (int i = 1; i < records.size(); i++) {
                            assertEquals(records.get(i - 1).offset() + 1, records.get(i).offset());
                        }
                        ctx.log.offsetForTimestamp(START_MS + 100);
                        ctx.log.maxTimestampOffset();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            for (int i = 0; i < 2000; i++) {
                ctx.append(batch(i % 3 == 0 ? Compression.lz4().build() : Compression.NONE, START_MS + i, 1 + i % 4));
            }
            done.set(true);
            reader.join();
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            assertEquals(2000 / 4 * 10, ctx.log.logEndOffset());
        }
    }
}
