package io.sluice.server.partition;

import io.sluice.storage.LogAppendResult;
import org.apache.kafka.common.errors.ApiException;

/**
 * The outcome of a Produce for one partition, as Kafka's {@code PartitionResponse}. Immutable.
 *
 * @param error         null on success
 * @param baseOffset    first offset assigned, -1 on error
 * @param lastOffset    last offset assigned, -1 on error
 * @param logAppendTime broker time for LogAppendTime topics, else -1
 */
public record ProducePartitionResult(ApiException error, long baseOffset, long lastOffset, long logAppendTime,
                                     long logStartOffset) {

    public static ProducePartitionResult of(LogAppendResult append) {
        return new ProducePartitionResult(null, append.firstOffset(), append.lastOffset(), append.logAppendTime(),
                append.logStartOffset());
    }

    public static ProducePartitionResult error(ApiException error) {
        return new ProducePartitionResult(error, -1L, -1L, -1L, -1L);
    }

    public boolean failed() {
        return error != null;
    }
}
