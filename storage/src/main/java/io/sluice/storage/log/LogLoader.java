package io.sluice.storage.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads the segments of one partition directory and recovers them, as Kafka's {@code LogLoader}:
 * <ol>
 *   <li>completes the swap of a cleaned segment ({@code <offset>.log.swap} replaces {@code <offset>.log}), then
 *       removes leftovers: {@code .deleted}, {@code .cleaned}, other {@code .swap} and {@code .tmp} files, and index
 *       files without a {@code .log};</li>
 *   <li>opens every {@code <offset>.log} with its indexes; a missing index, or one failing Kafka's sanity check, is
 *       rebuilt from the log;</li>
 *   <li>without a clean shutdown, recovers every segment from the one holding the recovery point: each batch is
 *       checked (size, CRC, offsets), the segment is truncated at the first bad batch, its indexes are rebuilt, and
 *       the segments after it are deleted;</li>
 *   <li>creates an empty segment at the log start offset when there is none, and preallocates the active segment's
 *       indexes again.</li>
 * </ol>
 * Thread-safety: runs before the log is visible to anyone; not thread-safe.
 */
public final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {
    }

    /** The loaded segments and the offsets derived from them. */
    public record LoadedLog(LogSegments segments, long logEndOffset, long recoveryPoint) {
    }

    public static LoadedLog load(Path dir, TopicPartition tp, int indexIntervalBytes, int maxIndexSize,
                                 Time time, boolean hadCleanShutdown, long recoveryPointCheckpoint,
                                 long logStartOffset) throws IOException {
        removeTemporaryFiles(dir);
        List<Long> baseOffsets = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> LogFileNames.isSegmentFile(n, LogFileNames.LOG_FILE_SUFFIX))
                    .map(LogFileNames::offsetFromFileName)
                    .sorted()
                    .forEach(baseOffsets::add);
        }
        LogSegments segments = new LogSegments();
        for (long baseOffset : baseOffsets) {
            if (!LogFileNames.logFile(dir, baseOffset).exists()) {
                continue; // deleted after a corruption found in an earlier segment
            }
            boolean indexesExisted = LogFileNames.offsetIndexFile(dir, baseOffset).exists()
                    && LogFileNames.timeIndexFile(dir, baseOffset).exists();
            LogSegment segment;
            try {
                segment = LogSegment.open(dir, baseOffset, indexIntervalBytes, maxIndexSize, time);
            } catch (AbstractIndex.CorruptIndexException e) {
                LOG.warn("{}: deleting corrupt index of segment {} to rebuild it: {}", tp, baseOffset, e.getMessage());
                Files.deleteIfExists(LogFileNames.offsetIndexFile(dir, baseOffset).toPath());
                Files.deleteIfExists(LogFileNames.timeIndexFile(dir, baseOffset).toPath());
                indexesExisted = false;
                segment = LogSegment.open(dir, baseOffset, indexIntervalBytes, maxIndexSize, time);
            }
            // After an unclean shutdown, segments from the recovery point on are rebuilt below anyway (their
            // preallocated indexes would fail the sanity check).
            boolean recoveredLater = !hadCleanShutdown && baseOffset >= recoveryStart(baseOffsets, recoveryPointCheckpoint);
            if (!recoveredLater && (!indexesExisted || !indexesSane(segment))) {
                LOG.info("{}: rebuilding the indexes of segment {}", tp, baseOffset);
                truncateAndDeleteFollowing(segments, segment, tp, maxIndexSize, dir);
                segment.onBecomeInactiveSegment();
            }
            segments.add(segment);
        }

        long recoveryPoint = recoveryPointCheckpoint;
        if (!hadCleanShutdown && !segments.isEmpty()) {
            recoverFrom(segments, tp, maxIndexSize, recoveryPointCheckpoint, dir);
        }
        if (segments.isEmpty()) {
            segments.add(LogSegment.open(dir, Math.max(logStartOffset, 0L), indexIntervalBytes, maxIndexSize, time));
        }
        for (LogSegment s : segments.values()) {
            s.loadLargestTimestamp();
        }
        LogSegment active = segments.activeSegment();
        active.resizeIndexes(maxIndexSize);
        long logEndOffset = active.readNextOffset();
        if (!hadCleanShutdown) {
            // what recovery checked is now flushed: the next unclean start begins here
            for (LogSegment s : segments.values()) {
                s.flush();
            }
            recoveryPoint = logEndOffset;
        }
        return new LoadedLog(segments, logEndOffset, Math.min(recoveryPoint, logEndOffset));
    }

    /** Base offset of the segment holding the recovery point (the first segment when it is below all of them). */
    private static long recoveryStart(List<Long> baseOffsets, long recoveryPoint) {
        long start = baseOffsets.isEmpty() ? 0L : baseOffsets.get(0);
        for (long base : baseOffsets) {
            if (base <= recoveryPoint) {
                start = base;
            }
        }
        return start;
    }

    private static boolean indexesSane(LogSegment segment) {
        try {
            segment.offsetIndex().sanityCheck();
            segment.timeIndex().sanityCheck();
            return true;
        } catch (AbstractIndex.CorruptIndexException e) {
            return false;
        }
    }

    private static void recoverFrom(LogSegments segments, TopicPartition tp, int maxIndexSize, long recoveryPoint,
                                    Path dir) throws IOException {
        long start = segments.floorSegment(recoveryPoint).map(LogSegment::baseOffset)
                .orElse(segments.firstSegment().get().baseOffset());
        for (LogSegment segment : segments.from(start)) {
            if (segments.floorSegment(segment.baseOffset()).isEmpty()) {
                continue; // deleted by an earlier truncation
            }
            LOG.info("{}: recovering segment {} after an unclean shutdown", tp, segment.baseOffset());
            if (truncateAndDeleteFollowing(segments, segment, tp, maxIndexSize, dir)) {
                break;
            }
            segment.onBecomeInactiveSegment();
        }
    }

    /** Recovers one segment; when it was truncated, deletes every later segment. Returns true if it truncated. */
    private static boolean truncateAndDeleteFollowing(LogSegments segments, LogSegment segment, TopicPartition tp,
                                                      int maxIndexSize, Path dir) throws IOException {
        int truncated = segment.recover(maxIndexSize, batch -> { });
        if (truncated == 0) {
            return false;
        }
        for (LogSegment later : segments.from(segment.baseOffset() + 1)) {
            LOG.warn("{}: deleting segment {} after the corruption found in segment {}", tp, later.baseOffset(),
                    segment.baseOffset());
            segments.remove(later.baseOffset());
            later.deleteIfExists();
        }
        // and the later segments not loaded yet
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (LogFileNames.isSegmentFile(name, LogFileNames.LOG_FILE_SUFFIX)
                        && LogFileNames.offsetFromFileName(name) > segment.baseOffset()) {
                    long base = LogFileNames.offsetFromFileName(name);
                    LOG.warn("{}: deleting segment {} after the corruption found in segment {}", tp, base,
                            segment.baseOffset());
                    Files.deleteIfExists(p);
                    Files.deleteIfExists(LogFileNames.offsetIndexFile(dir, base).toPath());
                    Files.deleteIfExists(LogFileNames.timeIndexFile(dir, base).toPath());
                }
            }
        }
        return true;
    }

    /**
     * A {@code <offset>.log.swap} is a cleaned segment that was complete and fsynced before it was renamed so: the
     * cleaner crashed before renaming it over the segment it replaces. Finish that now (the old segment's indexes are
     * deleted and rebuilt), as Kafka's loader does with swap files.
     */
    private static void completeSwaps(Path dir) throws IOException {
        String swapLog = LogFileNames.LOG_FILE_SUFFIX + LogFileNames.SWAP_FILE_SUFFIX;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (!LogFileNames.isSegmentFile(name, swapLog)) {
                    continue;
                }
                long base = LogFileNames.offsetFromFileName(name);
                LOG.info("Completing the swap of cleaned segment {} in {}", base, dir);
                Files.deleteIfExists(LogFileNames.offsetIndexFile(dir, base).toPath());
                Files.deleteIfExists(LogFileNames.timeIndexFile(dir, base).toPath());
                Files.move(p, LogFileNames.logFile(dir, base).toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    private static void removeTemporaryFiles(Path dir) throws IOException {
        completeSwaps(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                File f = p.toFile();
                if (!f.isFile()) {
                    continue;
                }
                if (name.endsWith(LogFileNames.DELETED_FILE_SUFFIX) || name.endsWith(LogFileNames.CLEANED_FILE_SUFFIX)
                        || name.endsWith(LogFileNames.SWAP_FILE_SUFFIX) || name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (LogFileNames.isSegmentFile(name, LogFileNames.INDEX_FILE_SUFFIX)
                        || LogFileNames.isSegmentFile(name, LogFileNames.TIME_INDEX_FILE_SUFFIX)) {
                    long base = LogFileNames.offsetFromFileName(name);
                    if (!LogFileNames.logFile(dir, base).exists()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
