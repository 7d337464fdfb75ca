/**
 * The segmented log of one partition, in Apache Kafka's on-disk format (as {@code storage/.../internals/log/}):
 * {@link io.sluice.storage.log.LogSegment} (a {@code .log} file with its {@code .index} and {@code .timeindex}),
 * {@link io.sluice.storage.log.LogSegments} (the ordered set), {@link io.sluice.storage.log.LogValidator} (pure
 * validation and offset assignment) and {@link io.sluice.storage.log.LogLoader} (load and recovery).
 *
 * <p>Internal to {@code io.sluice.storage}: other modules use {@link io.sluice.storage.PartitionLog}. May import
 * kafka-clients' record classes, errors and utils; never Netty, ZooKeeper or Curator.
 */
package io.sluice.storage.log;
