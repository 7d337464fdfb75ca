/**
 * The partitions this broker hosts: leader state, ISR, leader epoch and high watermark per partition
 * ({@link io.sluice.server.partition.Partition}), and the {@link io.sluice.server.partition.ReplicaManager}
 * that keeps them in step with the metadata image and runs appends and reads on its I/O executor.
 *
 * <p>May import storage ({@code io.sluice.storage}), metadata, purgatory and kafka-clients' public
 * types and errors; {@code common.record.internal} only for the records handed to storage. Request
 * and response classes stay in the API handlers; the one exception is {@code ListOffsetsRequest}'s
 * timestamp sentinels (earliest, latest, max timestamp), which are the log's vocabulary for a lookup.
 */
package io.sluice.server.partition;
