/**
 * The group coordinator: classic consumer groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and committed
 * offsets, kept as records in {@code __consumer_offsets} in Kafka's key/value formats.
 *
 * <p>May import kafka-clients' public types, {@code Errors}, record batches ({@code common.record.internal}),
 * the consumer's {@code ConsumerProtocol} (the subscription and assignment formats) and {@code io.sluice.storage};
 * never request or message classes, Netty, Curator or the server. The server
 * implements {@link io.sluice.coordinator.group.CoordinatorLog} to append records and tells the coordinator
 * which offsets-topic partitions this broker leads.
 */
package io.sluice.coordinator;
