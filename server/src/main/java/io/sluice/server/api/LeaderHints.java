package io.sluice.server.api;

import io.sluice.server.metadata.Listener;
import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

import java.util.Optional;

/**
 * The current leader of a partition and its endpoint on the request's listener, returned with
 * NOT_LEADER_OR_FOLLOWER by Produce v10+ and Fetch v16+ so clients can skip a metadata refresh (KIP-951).
 * Stateless.
 */
final class LeaderHints {

    private LeaderHints() {
    }

    /** The partition's leader id and epoch, or empty when the metadata does not know the partition. */
    static Optional<PartitionState> state(MetadataImage image, TopicPartition tp) {
        return image.partition(tp);
    }

    /** The leader as a node reachable on {@code listenerName}, empty when it has no such endpoint. */
    static Optional<Node> leaderNode(MetadataImage image, PartitionState state, String listenerName) {
        BrokerRegistration broker = image.brokers().get(state.leader());
        if (broker == null) {
            return Optional.empty();
        }
        Optional<Listener> endpoint = broker.endpoint(listenerName);
        return endpoint.map(l -> new Node(broker.id(), l.host(), l.port(), broker.rack()));
    }
}
