package io.sluice.storage;

import io.sluice.storage.checkpoint.LeaderEpochCache;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code leader-epoch-checkpoint} in Kafka's format and OffsetForLeaderEpoch answers, as Kafka's LeaderEpochFileCache. */
class LeaderEpochTest {
    @TempDir
    Path dir;

    private static void append(LogTestContext ctx, int epoch, int batches) {
        for (int i = 0; i < batches; i++) {
            ctx.log.appendAsLeader(batch(Compression.NONE, START_MS + i, 2), epoch);
        }
    }

    private static List<String> checkpoint(LogTestContext ctx) throws Exception {
        return Files.readAllLines(ctx.log.dir().resolve(LeaderEpochCache.FILE_NAME));
    }

    @Test
    void newEpochsAreCheckpointedAndAnswerEndOffsets() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100))) {
            assertEquals(List.of("0", "0"), checkpoint(ctx), "created empty with the log, as Kafka");
            append(ctx, 0, 5);   // offsets 0-9
            append(ctx, 3, 5);   // 10-19
            append(ctx, 5, 5);   // 20-29
            assertEquals(List.of("0", "3", "0 0", "3 10", "5 20"), checkpoint(ctx));

            assertEquals(Optional.of(new EpochEndOffset(5, 30)), ctx.log.endOffsetForEpoch(5), "latest: log end offset");
            assertEquals(Optional.of(new EpochEndOffset(3, 20)), ctx.log.endOffsetForEpoch(4), "floor epoch, next start");
            assertEquals(Optional.of(new EpochEndOffset(3, 20)), ctx.log.endOffsetForEpoch(3));
            assertEquals(Optional.of(new EpochEndOffset(0, 10)), ctx.log.endOffsetForEpoch(1));
            assertEquals(Optional.empty(), ctx.log.endOffsetForEpoch(6), "above every epoch: undefined");
            assertEquals(Optional.empty(), ctx.log.endOffsetForEpoch(-1));

            ctx.restart();
            assertEquals(Optional.of(new EpochEndOffset(3, 20)), ctx.log.endOffsetForEpoch(4));
            assertEquals(Optional.of(5), ctx.log.latestEpoch());
        }
    }

    @Test
    void aFollowerTruncatedFullyRestartsAtTheLeadersLogStartAndKeepsItAcrossARestart() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100))) {
            append(ctx, 1, 5);
            ctx.log.truncateFullyAndStartAt(500);
            assertEquals(500, ctx.log.logStartOffset());
            assertEquals(500, ctx.log.logEndOffset());
            assertEquals(Optional.empty(), ctx.log.latestEpoch());
            assertEquals(List.of("0", "0"), checkpoint(ctx));
            // the leader's batches from its log start on
            MemoryRecords fromLeader = batch(Compression.NONE, START_MS, 3);
            fromLeader.batches().forEach(b -> {
                b.setLastOffset(502);
                b.setPartitionLeaderEpoch(7);
            });
            assertEquals(503, ctx.log.appendAsFollower(fromLeader));
            ctx.restart();
            assertEquals(500, ctx.log.logStartOffset());
            assertEquals(503, ctx.log.logEndOffset());
            assertEquals(Optional.of(7), ctx.log.latestEpoch());
            assertEquals(3, ctx.readAll(500).size());
        }
    }

    @Test
    void truncationRemovesLaterEpochsAndLogStartOffsetMovesTheFirst() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100))) {
            append(ctx, 1, 5);
            append(ctx, 2, 5);
            append(ctx, 4, 5);
            ctx.log.truncateTo(12);
            assertEquals(List.of("0", "2", "1 0", "2 10"), checkpoint(ctx));
            assertEquals(Optional.of(new EpochEndOffset(2, 12)), ctx.log.endOffsetForEpoch(2));
            assertEquals(Optional.empty(), ctx.log.endOffsetForEpoch(4));

            ctx.log.updateHighWatermark(12);
            ctx.log.deleteRecordsBefore(4);
            assertEquals(List.of("0", "2", "1 4", "2 10"), checkpoint(ctx));
            ctx.log.deleteRecordsBefore(11);
            assertEquals(List.of("0", "1", "2 11"), checkpoint(ctx));
            assertEquals(Optional.of(new EpochEndOffset(1, 11)), ctx.log.endOffsetForEpoch(1),
                    "below every epoch: the requested epoch and the first start offset, as Kafka");
        }
    }

    @Test
    void aMissingCheckpointIsRebuiltFromTheBatchesAndAStaleOneTruncatedByRecovery() throws Exception {
        LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(1024, 100));
        append(ctx, 0, 5);
        append(ctx, 7, 5);
        ctx.manager.close();
        Files.delete(ctx.log.dir().resolve(LeaderEpochCache.FILE_NAME));
        ctx.start();
        assertEquals(List.of("0", "2", "0 0", "7 10"), checkpoint(ctx));

        // an epoch beyond the log end (its batch was lost in a crash) goes at load
        Path partitionDir = ctx.log.dir();
        ctx.manager.close();
        Files.writeString(partitionDir.resolve(LeaderEpochCache.FILE_NAME), "0\n3\n0 0\n7 10\n9 25\n");
        ctx.start();
        assertEquals(List.of("0", "2", "0 0", "7 10"), checkpoint(ctx));
        ctx.close();
    }
}
