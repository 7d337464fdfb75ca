package io.sluice.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random bytes written at random positions of random segments of a log that crashed before any recovery point was
 * checkpointed (so recovery checks every segment), as Kafka's own recovery tests do. After the restart:
 * <ul>
 *   <li>every batch served passes its CRC ({@link LogTestContext#readAll} calls {@code ensureValid} on each);</li>
 *   <li>every record of the batches before the first damaged byte is served, at its offset, with its bytes;</li>
 *   <li>offsets served strictly increase, and the log appends at its (new) log end offset.</li>
 * </ul>
 * A batch's base offset and leader epoch lie outside its CRC, so garbage there can yield a valid batch with other
 * offsets (Kafka cannot tell either); the test therefore asks nothing of the records after the first damaged byte
 * except that their batches pass the CRC and keep offsets increasing.
 */
class RandomCorruptionRecoveryTest {
    @TempDir
    Path dir;

    /** Where one batch lies before the damage. */
    private record BatchPosition(Path file, int position, int size, long baseOffset) {
        boolean overlaps(Path damagedFile, long from, long to) {
            return file.equals(damagedFile) && from < position + size && to > position;
        }
    }

    private record Original(long offset, long timestamp, byte[] key, byte[] value) {
    }

    @Test
    void garbageInAnySegmentIsNeverServedAndEverythingBeforeItIs() throws Exception {
        Random seeds = new Random(0x5EED_1CE5L);
        List<Compression> codecs = List.of(Compression.NONE, Compression.gzip().build(), Compression.lz4().build(),
                Compression.zstd().build());
        for (int round = 0; round < 30; round++) {
            long seed = seeds.nextLong();
            Random random = new Random(seed);
            String what = "round " + round + " (seed " + seed + ")";
            LogTestContext ctx = new LogTestContext(dir.resolve("round-" + round), LogTestContext.config(4096, 128));
            for (int i = 0; i < 80; i++) {
                ctx.append(batch(codecs.get(random.nextInt(codecs.size())), START_MS + 1000L * i, 1 + random.nextInt(4)));
            }
            assertTrue(ctx.log.numberOfSegments() >= 3, what + ": several segments");
            List<Original> originals = ctx.readAll(0).stream().map(RandomCorruptionRecoveryTest::original).toList();
            List<BatchPosition> batches = batchPositions(ctx.log.dir());
            Path partitionDir = ctx.log.dir();
            // a crash: no clean-shutdown marker and no recovery-point checkpoint
            ctx.manager = null;
            ctx.log = null;

            long firstDamaged = Long.MAX_VALUE;
            int bursts = 1 + random.nextInt(4);
            for (int b = 0; b < bursts; b++) {
                Path segment = batches.get(random.nextInt(batches.size())).file();
                long size = Files.size(segment);
                long position = (long) (random.nextDouble() * size);
                byte[] garbage = new byte[1 + random.nextInt(16)];
                random.nextBytes(garbage);
                try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw")) {
                    raf.seek(position);
                    raf.write(garbage);
                }
                for (BatchPosition batch : batches) {
                    if (batch.overlaps(segment, position, position + garbage.length)) {
                        firstDamaged = Math.min(firstDamaged, batch.baseOffset());
                    }
                }
            }
            assertTrue(firstDamaged < Long.MAX_VALUE, what);

            ctx.start();
            assertEquals(partitionDir, ctx.log.dir());
            long end = ctx.log.logEndOffset();
            List<Record> served = ctx.readAll(0); // fails on any batch whose CRC does not match
            assertTrue(end >= firstDamaged, what + ": the log end " + end + " keeps every batch before the damage at "
                    + firstDamaged);
            long previous = -1;
            for (Record r : served) {
                assertTrue(r.offset() > previous, what + ": offsets increase, " + previous + " then " + r.offset());
                previous = r.offset();
                if (r.offset() < firstDamaged) {
                    Original o = originals.get((int) r.offset());
                    assertEquals(o.offset(), r.offset(), what);
                    assertEquals(o.timestamp(), r.timestamp(), what + ": timestamp at " + r.offset());
                    assertArrayEquals(o.key(), Utils.toArray(r.key()), what + ": key at " + r.offset());
                    assertArrayEquals(o.value(), Utils.toArray(r.value()), what + ": value at " + r.offset());
                }
            }
            long damagedAt = firstDamaged;
            long intact = served.stream().filter(r -> r.offset() < damagedAt).count();
            assertEquals(firstDamaged, intact, what + ": every record before the damage is served");

            LogAppendResult appended = ctx.append(batch(Compression.NONE, START_MS, 2));
            assertEquals(end, appended.firstOffset(), what + ": appends continue at the log end offset");
            List<Record> tail = ctx.readAll(end);
            assertEquals(List.of(end, end + 1), tail.stream().map(Record::offset).toList(), what);
            ctx.close();
        }
    }

    private static Original original(Record r) {
        return new Original(r.offset(), r.timestamp(), Utils.toArray(r.key()), Utils.toArray(r.value()));
    }

    private static List<BatchPosition> batchPositions(Path partitionDir) throws Exception {
        List<Path> segments;
        try (Stream<Path> files = Files.list(partitionDir)) {
            segments = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        List<BatchPosition> positions = new ArrayList<>();
        for (Path segment : segments) {
            FileRecords records = FileRecords.open(segment.toFile(), false);
            try {
                int position = 0;
                for (RecordBatch batch : records.batches()) {
                    positions.add(new BatchPosition(segment, position, batch.sizeInBytes(), batch.baseOffset()));
                    position += batch.sizeInBytes();
                }
                assertEquals(Files.size(segment), position, "the whole of " + segment + " is batches");
            } finally {
                records.closeHandlers();
            }
        }
        assertTrue(!positions.isEmpty(), "the log has batches");
        return positions;
    }
}
