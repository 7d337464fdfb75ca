package io.sluice.server.metadata;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of the cluster as ZooKeeper last told it: cluster id, active controller, live
 * brokers, topics and dynamic broker configs. Swapped atomically by {@link MetadataCache}; request
 * handlers read a snapshot and never ZooKeeper.
 *
 * @param brokerConfigOverrides dynamic configs per broker id; key -1 holds the cluster-wide default
 *                              ({@code /config/brokers/<default>})
 */
public record MetadataImage(String clusterId, int controllerId, Map<Integer, BrokerRegistration> brokers,
                            Map<String, TopicMetadata> topics, Map<Uuid, String> topicNamesById,
                            Map<Integer, Map<String, String>> brokerConfigOverrides) {

    public static final MetadataImage EMPTY = new MetadataImage("", -1, Map.of(), Map.of(), Map.of(), Map.of());

    public Optional<TopicMetadata> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public Optional<TopicMetadata> topic(Uuid topicId) {
        String name = topicNamesById.get(topicId);
        return name == null ? Optional.empty() : topic(name);
    }

    public Optional<PartitionState> partition(TopicPartition tp) {
        TopicMetadata topic = topics.get(tp.topic());
        return topic == null ? Optional.empty() : Optional.ofNullable(topic.partitions().get(tp.partition()));
    }
}
