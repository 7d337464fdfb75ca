/**
 * Idempotent producer state of one partition, as Kafka's {@code ProducerStateManager}: per producer id the epoch and
 * the metadata of its last five batches, used to detect duplicates, sequence gaps and fenced epochs, and its
 * {@code .snapshot} files in Kafka's format.
 *
 * <p>Internal to {@code io.sluice.storage}; imports kafka-clients' record classes and errors, and the file helpers
 * of {@code log} ({@code LogFileNames}) and {@code checkpoint} ({@code AtomicFiles}).
 */
package io.sluice.storage.producer;
