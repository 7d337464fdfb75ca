package io.sluice.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.DumpLogSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static io.sluice.storage.LogTestContext.idempotent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs Apache Kafka's own {@code kafka-dump-log} ({@code DumpLogSegments} from kafka-tools) on segments we wrote:
 * index and time index verification, and deep iteration of every batch (all codecs).
 */
class DumpLogSegmentsCompatTest {
    @TempDir
    Path dir;

    /** {@code exitCode} is -1 when the tool returned without calling {@code Exit.exit} (its success path). */
    private record Output(int exitCode, String out, String err) {
        boolean succeeded() {
            return exitCode == -1 || exitCode == 0;
        }
    }

    /** DumpLogSegments.main ends with Exit.exit, which kafka-clients lets a test replace: run it in-process. */
    private static synchronized Output dump(List<String> args) throws Exception {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] code = {-1};
        Exit.setExitProcedure((status, message) -> {
            code[0] = status;
            throw new ExitCalled();
        });
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            DumpLogSegments.main(args.toArray(String[]::new));
        } catch (ExitCalled e) {
            // expected
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            Exit.resetExitProcedure();
        }
        return new Output(code[0], out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final class ExitCalled extends RuntimeException {
    }

    private void writeLog(LogTestContext ctx) {
        List<Compression> codecs = List.of(Compression.NONE, Compression.gzip().build(), Compression.snappy().build(),
                Compression.lz4().build(), Compression.zstd().build());
        int sequence = 0;
        for (int i = 0; i < 200; i++) {
            if (i % 10 == 9) {
                ctx.append(idempotent(1000L, (short) 0, sequence, START_MS + i, 1 + i % 3));
                sequence += 1 + i % 3;
            } else {
                ctx.append(batch(codecs.get(i % codecs.size()), START_MS + (i % 17) * 100, 1 + i % 5));
            }
        }
    }

    private static List<String> segmentFiles(Path partitionDir, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(partitionDir)) {
            return s.map(Path::toString).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    private void verify(LogTestContext ctx, List<String> codecs) throws Exception {
        Path partitionDir = ctx.log.dir();
        assertTrue(Files.exists(ctx.logDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        List<String> indexes = new ArrayList<>(segmentFiles(partitionDir, ".index"));
        indexes.addAll(segmentFiles(partitionDir, ".timeindex"));
        assertTrue(segmentFiles(partitionDir, ".log").size() > 3);

        List<String> verifyArgs = new ArrayList<>(List.of("--verify-index-only", "--files", String.join(",", indexes)));
        Output verify = dump(verifyArgs);
        assertTrue(verify.succeeded(), verify.err());
        assertTrue(verify.out().contains("Dumping"), verify.out());
        assertFalse(verify.err().contains("Mismatches"), verify.err());
        assertFalse(verify.err().contains("mismatch"), verify.err());
        assertFalse(verify.err().contains("Found timestamp"), verify.err());
        assertFalse(verify.err().contains("Exception"), verify.err());
        assertTrue(verify.err().isBlank(), verify.err());

        Output sanity = dump(List.of("--index-sanity-check", "--files", String.join(",", indexes)));
        assertTrue(sanity.succeeded(), sanity.err());
        assertTrue(sanity.err().isBlank(), sanity.err());

        Output deep = dump(List.of("--deep-iteration", "--print-data-log", "--files",
                String.join(",", segmentFiles(partitionDir, ".log"))));
        assertTrue(deep.succeeded(), deep.err());
        assertOnlySegmentStartsReportedAsNonConsecutive(deep.err());
        for (String codec : codecs) {
            assertTrue(deep.out().contains("compresscodec: " + codec), codec + " in " + deep.out());
        }
        assertTrue(deep.out().contains("isvalid: true"));
        assertFalse(deep.out().contains("isvalid: false"));
    }

    /**
     * The tool starts each file's offset check at -1, so it reports "-1 is followed by N" for every segment whose base
     * offset N is not 0, on Kafka's own logs too. Anything else is a real gap.
     */
    private static void assertOnlySegmentStartsReportedAsNonConsecutive(String err) {
        String[] lines = err.strip().isEmpty() ? new String[0] : err.strip().split("\\R");
        for (int i = 0; i < lines.length; i += 2) {
            assertTrue(lines[i].startsWith("Non-consecutive offsets in "), err);
            String file = lines[i].substring(lines[i].lastIndexOf('/') + 1);
            long base = Long.parseLong(file.substring(0, file.indexOf('.')));
            assertTrue(i + 1 < lines.length, err);
            assertEquals("-1 is followed by " + base, lines[i + 1].strip(), err);
        }
    }

    @Test
    void kafkaDumpLogVerifiesOurSegments() throws Exception {
        try (LogTestContext ctx = new LogTestContext(dir, LogTestContext.config(8 * 1024, 512))) {
            writeLog(ctx);
            // as an operator runs kafka-dump-log: on a stopped broker (closed segments have trimmed indexes and their
            // final time index entry; a running active segment's indexes are preallocated, in Kafka too)
            ctx.manager.close();
            verify(ctx, List.of("none", "gzip", "snappy", "lz4", "zstd"));
            assertTrue(dump(List.of("--deep-iteration", "--files", segmentFiles(ctx.log.dir(), ".log").get(0)))
                    .out().contains("producerId: 1000"));
            // producer state snapshots (one per roll and one at the close), read by Kafka's ProducerStateManager
            List<String> snapshots = segmentFiles(ctx.log.dir(), ".snapshot");
            assertEquals(segmentFiles(ctx.log.dir(), ".log").size(), snapshots.size(), snapshots.toString());
            Output snapshotDump = dump(List.of("--files", String.join(",", snapshots)));
            assertTrue(snapshotDump.succeeded(), snapshotDump.err());
            assertTrue(snapshotDump.err().isBlank(), snapshotDump.err());
            String last = snapshotDump.out().substring(snapshotDump.out().lastIndexOf("Dumping"));
            assertTrue(last.contains("producerId: 1000 producerEpoch: 0"), snapshotDump.out());
            assertTrue(last.contains("lastSequence: 38 lastOffset: 538"), snapshotDump.out());
        }
    }

    @Test
    void kafkaDumpLogVerifiesLogAppendTimeSegments() throws Exception {
        LogConfig cfg = LogTestContext.withTimestampType(LogTestContext.config(2048, 256), TimestampType.LOG_APPEND_TIME);
        try (LogTestContext ctx = new LogTestContext(dir, cfg)) {
            for (int i = 0; i < 100; i++) {
                ctx.time.advance(7);
                ctx.append(batch(i % 2 == 0 ? Compression.NONE : Compression.lz4().build(), START_MS, 1 + i % 4));
            }
            ctx.manager.close();
            verify(ctx, List.of("none", "lz4"));
        }
    }
}
