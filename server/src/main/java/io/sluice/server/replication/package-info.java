/**
 * Replication between brokers, as Kafka's ZooKeeper-mode brokers did it without LeaderAndIsr: followers fetch from
 * their leaders with the Fetch API ({@link io.sluice.server.replication.ReplicaFetcherManager}), and leaders ask the
 * controller to change the ISR with AlterPartition ({@link io.sluice.server.replication.AlterPartitionClient}), both
 * over blocking {@link io.sluice.server.replication.InterBrokerConnection}s that use kafka-clients' request codecs.
 */
package io.sluice.server.replication;
