package io.sluice.server.zk;

import io.sluice.server.metadata.ConfigWriter;
import io.sluice.server.metadata.MetadataImage;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.zookeeper.KeeperException;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * {@link ConfigWriter} over ZooKeeper: {@code /config/topics/<topic>} and {@code /config/brokers/<id>} in
 * Kafka's {@code {"version":1,"config":{...}}} layout. Brokers see changes through their metadata watch,
 * so no {@code /config/changes} notification is written (Kafka 3.x wrote one for brokers that polled it).
 *
 * <p>Writes run on the given executor. Thread-safe.
 */
public final class ZkConfigWriter implements ConfigWriter {

    /** How long to wait for the metadata cache to show a write before completing anyway. */
    private static final long VISIBLE_TIMEOUT_MS = 30_000;

    private final CuratorFramework zk;
    private final ZkMetadataCache cache;
    private final Executor executor;

    public ZkConfigWriter(CuratorFramework zk, ZkMetadataCache cache, Executor executor) {
        this.zk = zk;
        this.cache = cache;
        this.executor = executor;
    }

    @Override
    public CompletableFuture<Void> setTopicConfig(String topic, Map<String, String> overrides) {
        Map<String, String> copy = Map.copyOf(overrides);
        return CompletableFuture.runAsync(() -> {
            if (cache.image().topic(topic).isEmpty()) {
                throw new UnknownTopicOrPartitionException("Topic " + topic + " does not exist.");
            }
            write(ZkData.topicConfigPath(topic), copy);
        }, executor).thenCompose(v -> visible(image -> image.topic(topic)
                .map(t -> t.configOverrides().equals(copy)).orElse(true)));
    }

    @Override
    public CompletableFuture<Void> setBrokerConfig(int brokerId, Map<String, String> overrides) {
        Map<String, String> copy = Map.copyOf(overrides);
        int key = brokerId < 0 ? -1 : brokerId;
        return CompletableFuture.runAsync(() -> write(ZkData.brokerConfigPath(key), copy), executor)
                .thenCompose(v -> visible(image -> image.brokerConfigOverrides().getOrDefault(key, Map.of()).equals(copy)));
    }

    private void write(String path, Map<String, String> config) {
        byte[] data = ZkData.encodeConfig(config);
        try {
            try {
                zk.setData().forPath(path, data);
            } catch (KeeperException.NoNodeException absent) {
                zk.create().creatingParentsIfNeeded().forPath(path, data);
            }
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** Completes when the image satisfies {@code condition}, or anyway after a while (a later write won). */
    private CompletableFuture<Void> visible(Predicate<MetadataImage> condition) {
        return cache.await(condition, VISIBLE_TIMEOUT_MS).handle((image, error) -> null);
    }
}
