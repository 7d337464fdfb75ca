package io.sluice.storage;

/**
 * What one {@link PartitionLog#appendAsLeader} did: the offsets assigned to the appended batches, as Kafka's
 * {@code LogAppendInfo}. For a duplicate idempotent batch these are the offsets of the original append.
 *
 * @param firstOffset    offset of the first record appended
 * @param lastOffset     offset of the last record appended
 * @param logAppendTime  the broker time stamped into the batches for {@code LOG_APPEND_TIME}, else -1 (Kafka's NO_TIMESTAMP)
 * @param logStartOffset the log start offset after the append (returned in the Produce response)
 * @param recordCount    number of records appended
 */
public record LogAppendResult(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset, int recordCount) {
}
