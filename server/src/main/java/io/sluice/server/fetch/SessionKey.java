package io.sluice.server.fetch;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;

/**
 * How a session finds a partition: by topic id for sessions of Fetch v13+ (names may be unknown or
 * change), by topic name before. Immutable.
 */
record SessionKey(Uuid topicId, String topic, int partition) {

    static SessionKey of(TopicIdPartition tp, boolean usesTopicIds) {
        return usesTopicIds
                ? new SessionKey(tp.topicId(), null, tp.partition())
                : new SessionKey(Uuid.ZERO_UUID, tp.topic(), tp.partition());
    }
}
