package io.sluice.storage;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.idempotent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProducerStateTest {
    @TempDir
    Path dir;

    @Test
    void duplicateOfAnyOfTheLastFiveBatchesReturnsTheOriginalOffsets() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            LogAppendResult[] results = new LogAppendResult[6];
            for (int i = 0; i < 6; i++) {
                results[i] = ctx.append(idempotent(42L, (short) 0, i * 2, START_MS, 2));
            }
            assertEquals(12, ctx.log.logEndOffset());
            for (int i = 1; i < 6; i++) {
                LogAppendResult dup = ctx.append(idempotent(42L, (short) 0, i * 2, START_MS, 2));
                assertEquals(results[i].firstOffset(), dup.firstOffset());
                assertEquals(results[i].lastOffset(), dup.lastOffset());
            }
            assertEquals(12, ctx.log.logEndOffset(), "duplicates are not written");
            // the sixth-last batch is no longer remembered: its sequence is now out of order
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(42L, (short) 0, 0, START_MS, 2)));
        }
    }

    @Test
    void sequenceGapsAndEpochs() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogConfig.defaults())) {
            // unknown producer: any first sequence is accepted, as Kafka after its state was removed
            ctx.append(idempotent(7L, (short) 3, 10, START_MS, 2));
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(7L, (short) 3, 13, START_MS, 1)));
            ctx.append(idempotent(7L, (short) 3, 12, START_MS, 1));
            assertThrows(InvalidProducerEpochException.class, () -> ctx.append(idempotent(7L, (short) 2, 13, START_MS, 1)));
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(7L, (short) 4, 5, START_MS, 1)));
            ctx.append(idempotent(7L, (short) 4, 0, START_MS, 1));
            List<ProducerStateEntry> producers = ctx.log.activeProducers();
            assertEquals(List.of(new ProducerStateEntry(7L, (short) 4, 0, START_MS, -1, -1L)), producers);
            assertEquals(4, ctx.log.logEndOffset());
        }
    }

    @Test
    void stateIsRebuiltFromTheLogOnLoad() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(512, 100))) {
            LogAppendResult last = null;
            for (int i = 0; i < 10; i++) {
                last = ctx.append(idempotent(99L, (short) 1, i * 3, START_MS, 3));
            }
            ctx.restart();
            LogAppendResult dup = ctx.append(idempotent(99L, (short) 1, 27, START_MS, 3));
            assertEquals(last, dup);
            assertThrows(OutOfOrderSequenceException.class, () -> ctx.append(idempotent(99L, (short) 1, 31, START_MS, 1)));
            ctx.append(idempotent(99L, (short) 1, 30, START_MS, 1));
        }
    }
}
