/**
 * The cluster as this broker sees it: immutable {@link io.sluice.server.metadata.MetadataImage}
 * snapshots built from ZooKeeper and swapped atomically by the
 * {@link io.sluice.server.metadata.MetadataCache}, plus the contracts for writing dynamic configs and
 * allocating producer ids. Request handlers read images; nobody reads ZooKeeper on a request path.
 * May import Curator (the cache implementation only), never Netty.
 */
package io.sluice.server.metadata;
