/**
 * The broker: {@link io.sluice.server.Broker} wires configuration, ZooKeeper, metadata, logs, the group
 * coordinator, the API handlers and the network, and {@link io.sluice.server.SluiceServer} is the
 * command line. Subpackages own one responsibility each; only {@code api} and {@code network} touch
 * kafka-clients' request and message classes.
 */
package io.sluice.server;
