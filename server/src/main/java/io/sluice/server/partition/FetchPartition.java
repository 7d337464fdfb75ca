package io.sluice.server.partition;

import org.apache.kafka.common.TopicIdPartition;

import java.util.Optional;

/**
 * One partition of a fetch: where to read from and how much. Immutable.
 *
 * @param currentLeaderEpoch the leader epoch the client believes in (KIP-320), empty when not sent
 */
public record FetchPartition(TopicIdPartition topicIdPartition, long fetchOffset, int maxBytes,
                             Optional<Integer> currentLeaderEpoch) {
}
