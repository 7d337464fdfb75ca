/**
 * Idempotent producer state of one partition, as Kafka's {@code ProducerStateManager}: per producer id the epoch and
 * the metadata of its last five batches, used to detect duplicates, sequence gaps and fenced epochs.
 *
 * <p>Internal to {@code io.sluice.storage}; imports only kafka-clients' record classes and errors.
 */
package io.sluice.storage.producer;
