package io.sluice.storage.producer;

import org.apache.kafka.common.record.internal.DefaultRecordBatch;

/**
 * One appended batch of an idempotent producer, as Kafka's {@code BatchMetadata}: its last sequence, last offset,
 * {@code lastOffset - firstOffset}, and max timestamp (the log append time under LOG_APPEND_TIME).
 */
public record BatchMetadata(int lastSeq, long lastOffset, int offsetDelta, long timestamp) {

    public int firstSeq() {
        return DefaultRecordBatch.decrementSequence(lastSeq, offsetDelta);
    }

    public long firstOffset() {
        return lastOffset - offsetDelta;
    }
}
