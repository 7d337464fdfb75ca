package io.sluice.server.metadata;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Writes dynamic configs to ZooKeeper ({@code /config/topics/<topic>}, {@code /config/brokers/<id>} or
 * {@code /config/brokers/<default>}) and completes once the write is visible in the
 * {@link MetadataCache}. Each call replaces the whole override map of its entity. Thread-safe.
 */
public interface ConfigWriter {

    /** Replaces the overrides of a topic; fails with UnknownTopicOrPartitionException if it does not exist. */
    CompletableFuture<Void> setTopicConfig(String topic, Map<String, String> overrides);

    /** Replaces the overrides of one broker, or the cluster default when {@code brokerId} is -1. */
    CompletableFuture<Void> setBrokerConfig(int brokerId, Map<String, String> overrides);
}
