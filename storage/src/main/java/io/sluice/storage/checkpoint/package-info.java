/**
 * Small metadata files in Kafka's text formats: offset checkpoints at the log dir root, {@code partition.metadata}
 * in each partition dir, {@code meta.properties}, the clean-shutdown marker. Every file is written to a temporary
 * file, fsynced, and atomically renamed, so a crash leaves either the old or the new content.
 *
 * <p>Internal to {@code io.sluice.storage}; imports only the JDK and kafka-clients' {@code TopicPartition}/{@code Uuid}.
 */
package io.sluice.storage.checkpoint;
