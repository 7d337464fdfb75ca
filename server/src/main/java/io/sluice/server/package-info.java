/**
 * The broker: {@link io.sluice.server.Broker} wires configuration, ZooKeeper, metadata, logs, the group
 * coordinator, the API handlers and the network, and {@link io.sluice.server.SluiceServer} is the
 * command line. Subpackages own one responsibility each; only {@code api}, {@code network} and {@code fetch}
 * touch kafka-clients' request and message classes, and only the startup here touches {@code ApiKeys}
 * (the tiers are the rules of {@code ArchitectureTest}).
 */
package io.sluice.server;
