package io.sluice.storage;

/**
 * The answer to OffsetForLeaderEpoch for one partition (KIP-101, KIP-320): the largest epoch of the log not above the
 * requested one, and the offset where the following epoch began (the log end offset for the latest epoch).
 *
 * @param leaderEpoch the epoch found
 * @param endOffset   the end offset of that epoch, exclusive
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {
}
