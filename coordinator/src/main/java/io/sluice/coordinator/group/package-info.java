/**
 * The group coordinator for the classic rebalance protocol: group state machines, member and
 * generation checks, committed offsets, and the records of {@code __consumer_offsets} in Kafka's
 * key/value schemas. State for all groups runs on one coordinator thread, without per-group locks.
 * Depends on kafka-clients and storage only: never Netty, Curator or request classes.
 */
package io.sluice.coordinator.group;
