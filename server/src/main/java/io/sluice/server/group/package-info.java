/**
 * The server side of the group coordinator: follows leadership of {@code __consumer_offsets} partitions (load on
 * election, unload on resignation), appends the coordinator's records through the replica manager, and creates
 * the offsets topic on the first FindCoordinator, as Kafka does.
 */
package io.sluice.server.group;
