/**
 * Configuration with Apache Kafka 4.3's names, types, defaults and validators: the broker's static
 * {@code server.properties} ({@link io.sluice.server.config.BrokerConfig}), topic configs and their broker
 * synonyms ({@link io.sluice.server.config.TopicConfigs}, which also resolves a topic's effective
 * {@code io.sluice.storage.LogConfig}), the rules for dynamic broker configs
 * ({@link io.sluice.server.config.DynamicBrokerConfigs}), what DescribeConfigs shows
 * ({@link io.sluice.server.config.ConfigDescriber}) and how AlterConfigs / IncrementalAlterConfigs change
 * dynamic configs ({@link io.sluice.server.config.DynamicConfigManager}).
 *
 * <p>May import kafka-clients' public API ({@code common.config}, {@code common.errors},
 * {@code clients.admin.AlterConfigOp}), {@code io.sluice.storage.LogConfig} and
 * {@code io.sluice.server.metadata}; never Netty, ZooKeeper or kafka-clients' internal packages (the
 * handlers in {@code io.sluice.server.api} translate to and from the wire).
 */
package io.sluice.server.config;
