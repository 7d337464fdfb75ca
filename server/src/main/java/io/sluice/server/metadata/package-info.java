/**
 * The cluster as this broker sees it: immutable {@link io.sluice.server.metadata.MetadataImage}
 * snapshots built from ZooKeeper and swapped atomically by the
 * {@link io.sluice.server.metadata.MetadataCache}, plus the contracts for writing dynamic configs and
 * allocating producer ids. Request handlers read images; nobody reads ZooKeeper on a request path.
 * Knows neither ZooKeeper nor Netty: the ZooKeeper-backed implementations (the cache, the config writer, the
 * producer id blocks) are in {@code io.sluice.server.zk}, which depends on this package and not the reverse.
 */
package io.sluice.server.metadata;
