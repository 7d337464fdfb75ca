package io.sluice.server.fetch;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

import java.util.Map;
import java.util.Optional;

/**
 * One partition of a fetch session: the request parameters last sent for it, and the high watermark
 * and log start offset last answered, so that an incremental response can leave it out when nothing
 * changed. As Kafka's {@code CachedPartition}. Guarded by its session's lock.
 */
final class CachedPartition {

    TopicIdPartition topicIdPartition;
    FetchRequest.PartitionData requestData;
    long highWatermark = -1;
    long localLogStartOffset = -1;

    CachedPartition(TopicIdPartition topicIdPartition, FetchRequest.PartitionData requestData) {
        this.topicIdPartition = topicIdPartition;
        this.requestData = requestData;
    }

    /** A partition added with an unknown topic id gets its name once the metadata knows it. */
    void maybeResolveName(Map<org.apache.kafka.common.Uuid, String> topicNames) {
        if (topicIdPartition.topic() == null) {
            String name = topicNames.get(topicIdPartition.topicId());
            if (name != null) {
                topicIdPartition = new TopicIdPartition(topicIdPartition.topicId(), topicIdPartition.partition(), name);
            }
        }
    }

    /**
     * Whether an incremental response must include this partition: it has records, an error, a
     * preferred read replica or a diverging epoch, or its high watermark or log start offset moved.
     *
     * @param update also remember the answered offsets (false only to size a response)
     */
    boolean maybeUpdateResponseData(FetchResponseData.PartitionData response, boolean update) {
        boolean mustRespond = FetchResponse.recordsSize(response) > 0;
        if (highWatermark != response.highWatermark()) {
            mustRespond = true;
            if (update) {
                highWatermark = response.highWatermark();
            }
        }
        if (localLogStartOffset != response.logStartOffset()) {
            mustRespond = true;
            if (update) {
                localLogStartOffset = response.logStartOffset();
            }
        }
        if (FetchResponse.isPreferredReplica(response) || FetchResponse.isDivergingEpoch(response)) {
            mustRespond = true;
        }
        if (response.errorCode() != Errors.NONE.code()) {
            // As Kafka: forget the high watermark, so the partition is sent again once the error clears.
            if (update) {
                highWatermark = -1;
            }
            mustRespond = true;
        }
        return mustRespond;
    }

    Optional<Integer> currentLeaderEpoch() {
        return requestData.currentLeaderEpoch;
    }
}
