package io.sluice.server.metadata;

import java.util.concurrent.CompletableFuture;

/**
 * Hands out producer ids for InitProducerId, unique across the cluster: blocks of ids are claimed from
 * {@code /latest_producer_id_block} in ZooKeeper (Kafka's JSON layout, blocks of 1000) and served from
 * memory. Thread-safe.
 */
public interface ProducerIdManager {

    CompletableFuture<Long> nextProducerId();
}
