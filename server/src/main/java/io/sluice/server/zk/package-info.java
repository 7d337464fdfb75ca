/**
 * ZooKeeper plumbing in Kafka's own layout: the znode paths and JSON formats of Kafka 3.x in ZooKeeper
 * mode ({@link io.sluice.server.zk.ZkData}, {@link io.sluice.server.zk.ZkJson}), the embedded server used
 * when {@code zookeeper.connect} is unset, the Curator client (chroot as in Kafka), the broker's
 * registration, and the ZooKeeper-backed metadata cache, config writer and producer id blocks.
 *
 * <p>May import Curator, ZooKeeper, kafka-clients and {@code io.sluice.server.metadata} /
 * {@code io.sluice.server.config}; never Netty or the API handlers. Nothing in {@code metadata} or {@code config}
 * depends on this package (an architecture test keeps the server's packages free of cycles).
 */
package io.sluice.server.zk;
