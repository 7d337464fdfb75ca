package io.sluice.storage.log;

/** Entries of the two sparse indexes, with absolute offsets (the files hold offsets relative to the base offset). */
public final class IndexEntry {
    private IndexEntry() {
    }

    /** An {@link OffsetIndex} entry: the batch whose last offset is {@code offset} starts at byte {@code position}. */
    public record OffsetPosition(long offset, int position) {
    }

    /** A {@link TimeIndex} entry: the largest timestamp so far, and the last offset of the batch holding it. */
    public record TimestampOffset(long timestamp, long offset) {
        /** Kafka's {@code TimestampOffset.UNKNOWN}: no timestamp seen yet. */
        public static final TimestampOffset UNKNOWN = new TimestampOffset(-1L, -1L);
    }
}
