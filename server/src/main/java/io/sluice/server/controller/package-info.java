/**
 * The ZooKeeper-mode controller and topic administration: election through the ephemeral
 * {@code /controller} node, partition states and leader election fenced by the controller epoch,
 * replica placement ({@link io.sluice.server.controller.ReplicaAssignment}), the
 * {@link io.sluice.server.controller.TopicAdmin} API handlers and coordinators use, and
 * {@link io.sluice.server.controller.ZkCluster}, which starts and stops all of it for the broker.
 *
 * <p>May import {@code io.sluice.server.zk}, {@code io.sluice.server.metadata}, {@code io.sluice.server.config},
 * Curator and kafka-clients; never Netty or the API handlers.
 */
package io.sluice.server.controller;
