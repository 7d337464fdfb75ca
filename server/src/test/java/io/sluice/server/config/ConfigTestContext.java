package io.sluice.server.config;

import io.sluice.server.metadata.ConfigWriter;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.TopicMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A broker config and a metadata image for config tests, with a {@link ConfigWriter} that writes straight
 * into the image (what the ZooKeeper writer does once its write is visible).
 */
public final class ConfigTestContext implements ConfigWriter {

    public final BrokerConfig broker;
    public final AtomicReference<MetadataImage> image = new AtomicReference<>(MetadataImage.EMPTY);
    public final DynamicConfigManager manager;
    final ConfigDescriber describer;

    public ConfigTestContext(String... staticProps) {
        Map<String, String> props = new HashMap<>();
        props.put("log.dirs", "/tmp/unused");
        props.put("broker.id", "1");
        for (int i = 0; i < staticProps.length; i += 2) {
            props.put(staticProps[i], staticProps[i + 1]);
        }
        this.broker = new BrokerConfig(props);
        this.manager = new DynamicConfigManager(broker, image::get, this);
        this.describer = new ConfigDescriber(broker);
    }

    public ConfigTestContext withTopic(String name, Map<String, String> overrides) {
        MetadataImage current = image.get();
        Map<String, TopicMetadata> topics = new HashMap<>(current.topics());
        topics.put(name, new TopicMetadata(name, Uuid.randomUuid(), new TreeMap<>(), Map.copyOf(overrides), false));
        image.set(new MetadataImage(current.clusterId(), current.controllerId(), current.brokers(), Map.copyOf(topics),
                current.topicNamesById(), current.brokerConfigOverrides()));
        return this;
    }

    public Map<String, String> topicConfigs(String topic) {
        return image.get().topics().get(topic).configOverrides();
    }

    public Map<String, String> brokerConfigs(int entity) {
        return image.get().brokerConfigOverrides().getOrDefault(entity, Map.of());
    }

    @Override
    public CompletableFuture<Void> setTopicConfig(String topic, Map<String, String> overrides) {
        TopicMetadata topicMetadata = image.get().topics().get(topic);
        if (topicMetadata == null) {
            return CompletableFuture.failedFuture(new UnknownTopicOrPartitionException(topic));
        }
        withTopic(topic, overrides);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> setBrokerConfig(int brokerId, Map<String, String> overrides) {
        MetadataImage current = image.get();
        Map<Integer, Map<String, String>> brokers = new HashMap<>(current.brokerConfigOverrides());
        brokers.put(brokerId, Map.copyOf(overrides));
        image.set(new MetadataImage(current.clusterId(), current.controllerId(), current.brokers(), current.topics(),
                current.topicNamesById(), Map.copyOf(brokers)));
        return CompletableFuture.completedFuture(null);
    }
}
