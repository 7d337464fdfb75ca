package io.sluice.server.partition;

import io.sluice.storage.EpochEndOffset;
import io.sluice.storage.FetchDataInfo;
import org.apache.kafka.common.errors.ApiException;

/**
 * What one partition read gave, as Kafka's {@code LogReadResult}: the records (a file slice) and the
 * offsets the Fetch response reports. On error the offsets are -1, as Kafka. Immutable.
 *
 * @param error          null when the read succeeded
 * @param divergingEpoch for a follower whose log diverged from the leader's: the end of its last fetched epoch on
 *                       the leader, to truncate to; null otherwise
 */
public record LogReadResult(FetchDataInfo info, long highWatermark, long lastStableOffset, long logStartOffset,
                            long logEndOffset, ApiException error, EpochEndOffset divergingEpoch) {

    public static LogReadResult error(long fetchOffset, ApiException error) {
        return new LogReadResult(FetchDataInfo.empty(fetchOffset), -1L, -1L, -1L, -1L, error, null);
    }

    public int sizeInBytes() {
        return info.sizeInBytes();
    }
}
