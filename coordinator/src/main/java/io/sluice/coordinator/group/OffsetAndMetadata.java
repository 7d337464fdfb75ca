package io.sluice.coordinator.group;

/**
 * A committed offset, as {@code OffsetCommitValue} stores it. {@code leaderEpoch} -1 when unknown,
 * {@code expireTimestampMs} -1 unless a v2-4 OffsetCommit asked for a retention time.
 */
public record OffsetAndMetadata(long offset, int leaderEpoch, String metadata, long commitTimestampMs,
                                long expireTimestampMs) {
}
