package io.sluice.storage.log;

import java.io.File;
import java.nio.file.Path;

/**
 * Kafka's file names inside a partition directory: {@code <20-digit base offset><suffix>}, e.g.
 * {@code 00000000000000000000.log}, {@code .index}, {@code .timeindex}; a {@code .deleted} suffix marks files waiting
 * for {@code file.delete.delay.ms}. Stateless.
 */
public final class LogFileNames {
    public static final String LOG_FILE_SUFFIX = ".log";
    public static final String INDEX_FILE_SUFFIX = ".index";
    public static final String TIME_INDEX_FILE_SUFFIX = ".timeindex";
    public static final String TXN_INDEX_FILE_SUFFIX = ".txnindex";
    public static final String PRODUCER_SNAPSHOT_FILE_SUFFIX = ".snapshot";
    public static final String DELETED_FILE_SUFFIX = ".deleted";
    public static final String CLEANED_FILE_SUFFIX = ".cleaned";
    public static final String SWAP_FILE_SUFFIX = ".swap";

    private LogFileNames() {
    }

    /** The 20-digit zero-padded offset Kafka uses as a file name prefix. */
    public static String filenamePrefixFromOffset(long offset) {
        return String.format("%020d", offset);
    }

    public static File logFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefixFromOffset(baseOffset) + LOG_FILE_SUFFIX).toFile();
    }

    public static File offsetIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefixFromOffset(baseOffset) + INDEX_FILE_SUFFIX).toFile();
    }

    public static File timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefixFromOffset(baseOffset) + TIME_INDEX_FILE_SUFFIX).toFile();
    }

    /** Kafka's producer state snapshot taken at {@code offset}: {@code <20-digit offset>.snapshot}. */
    public static File producerSnapshotFile(Path dir, long offset) {
        return dir.resolve(filenamePrefixFromOffset(offset) + PRODUCER_SNAPSHOT_FILE_SUFFIX).toFile();
    }

    /** The base offset encoded in a segment file name such as {@code 00000000000000000042.log}. */
    public static long offsetFromFileName(String fileName) {
        int dot = fileName.indexOf('.');
        return Long.parseLong(dot < 0 ? fileName : fileName.substring(0, dot));
    }

    /** True when the name is a 20-digit offset followed by {@code suffix}. */
    public static boolean isSegmentFile(String fileName, String suffix) {
        return fileName.length() == 20 + suffix.length() && fileName.endsWith(suffix)
                && fileName.substring(0, 20).chars().allMatch(Character::isDigit);
    }
}
