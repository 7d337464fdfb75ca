package io.sluice.server.partition;

import org.apache.kafka.common.TopicIdPartition;

import java.util.Optional;

/**
 * One partition of a fetch: where to read from and how much. Immutable.
 *
 * @param currentLeaderEpoch the leader epoch the client believes in (KIP-320), empty when not sent
 * @param lastFetchedEpoch   a follower's: the epoch of the last batch in its log, to detect divergence (KIP-595's
 *                           use in Fetch v12+); empty for consumers
 */
public record FetchPartition(TopicIdPartition topicIdPartition, long fetchOffset, int maxBytes,
                             Optional<Integer> currentLeaderEpoch, Optional<Integer> lastFetchedEpoch) {

    public FetchPartition(TopicIdPartition topicIdPartition, long fetchOffset, int maxBytes,
                          Optional<Integer> currentLeaderEpoch) {
        this(topicIdPartition, fetchOffset, maxBytes, currentLeaderEpoch, Optional.empty());
    }
}
