package io.sluice.server.controller;

import io.sluice.server.Broker;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.zk.ZkClients;
import io.sluice.server.zk.ZkData;
import io.sluice.server.zk.ZkJson;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ZooKeeper side of a real broker started in this JVM (embedded ZooKeeper, temp log dir, loopback
 * port 0), driven by kafka-clients' AdminClient and consumer: topic administration, cluster description,
 * auto-creation, Kafka's znode layout, and a restart on the same directories.
 */
class TopicAdminIntegrationTest {

    @TempDir
    Path dir;

    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private Broker start() throws Exception {
        Properties props = new Properties();
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:0");
        props.setProperty("log.dirs", dir.resolve("logs").toString());
        Broker b = new Broker(new BrokerConfig(props));
        long startNs = System.nanoTime();
        b.startup();
        System.out.println("broker started in " + (System.nanoTime() - startNs) / 1_000_000 + " ms");
        return b;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.port(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    private static Throwable cause(ExecutionException e) {
        return e.getCause();
    }

    @Test
    void createDescribeAlterDeleteAndRestart() throws Exception {
        broker = start();
        String clusterId;
        Uuid ordersId;
        try (Admin admin = admin()) {
            DescribeClusterResult cluster = admin.describeCluster();
            clusterId = cluster.clusterId().get();
            assertEquals(22, clusterId.length());
            assertEquals(0, cluster.controller().get().id());
            assertEquals(1, cluster.nodes().get().size());
            assertEquals(broker.port(), cluster.nodes().get().iterator().next().port());
            assertEquals(clusterId, broker.clusterId());

            CreateTopicsResult created = admin.createTopics(List.of(
                    new NewTopic("orders", 3, (short) 1).configs(Map.of("retention.ms", "3600000")),
                    new NewTopic("defaults", java.util.Optional.empty(), java.util.Optional.empty()),
                    new NewTopic("manual", Map.of(0, List.of(0), 1, List.of(0)))));
            created.all().get();
            assertEquals(3, created.numPartitions("orders").get());
            assertEquals(1, created.replicationFactor("orders").get());
            ordersId = created.topicId("orders").get();
            assertNotEquals(Uuid.ZERO_UUID, ordersId);
            assertEquals("3600000", created.config("orders").get().get("retention.ms").value());
            assertEquals(1, created.numPartitions("defaults").get());
            assertEquals(2, created.numPartitions("manual").get());

            assertEquals(Set.of("orders", "defaults", "manual"), admin.listTopics().names().get());
            TopicDescription orders = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
            assertEquals(ordersId, orders.topicId());
            assertEquals(3, orders.partitions().size());
            orders.partitions().forEach(p -> {
                assertEquals(0, p.leader().id());
                assertEquals(1, p.isr().size());
            });
            assertEquals("orders", admin.describeTopics(TopicCollection.ofTopicIds(List.of(ordersId)))
                    .allTopicIds().get().get(ordersId).name());

            // errors, with Kafka's exception types
            ExecutionException exists = assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get());
            assertInstanceOf(TopicExistsException.class, cause(exists));
            assertInstanceOf(InvalidReplicationFactorException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("rf", 1, (short) 3))).all().get())));
            assertInstanceOf(InvalidPartitionsException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("zero", 0, (short) 1))).all().get())));
            assertInstanceOf(InvalidTopicException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all().get())));
            assertInstanceOf(InvalidReplicaAssignmentException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("m2", Map.of(0, List.of(7))))).all().get())));
            assertInstanceOf(UnknownTopicOrPartitionException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.describeTopics(List.of("missing")).allTopicNames().get())));

            // validate only creates nothing
            admin.createTopics(List.of(new NewTopic("dry", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                    .all().get();
            assertFalse(admin.listTopics().names().get().contains("dry"));

            // partitions
            admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(5))).all().get();
            assertEquals(5, admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders")
                    .partitions().size());
            assertInstanceOf(InvalidPartitionsException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(2))).all().get())));
            assertInstanceOf(InvalidPartitionsException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(5))).all().get())));
            assertInstanceOf(UnknownTopicOrPartitionException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.createPartitions(Map.of("missing", NewPartitions.increaseTo(5))).all().get())));

            // delete by name and by id
            admin.deleteTopics(List.of("defaults")).all().get();
            admin.deleteTopics(TopicCollection.ofTopicIds(List.of(
                    admin.describeTopics(List.of("manual")).allTopicNames().get().get("manual").topicId()))).all().get();
            assertEquals(Set.of("orders"), admin.listTopics().names().get());
            assertInstanceOf(UnknownTopicOrPartitionException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.deleteTopics(List.of("defaults")).all().get())));
            assertInstanceOf(UnknownTopicIdException.class, cause(assertThrows(ExecutionException.class,
                    () -> admin.deleteTopics(TopicCollection.ofTopicIds(List.of(Uuid.randomUuid()))).all().get())));
        }

        assertKafkaZnodeLayout(ordersId);

        // restart on the same directories: same cluster id, same topics and ids
        broker.close();
        assertTrue(Files.isDirectory(dir.resolve("logs-zookeeper")));
        broker = start();
        try (Admin admin = admin()) {
            assertEquals(clusterId, admin.describeCluster().clusterId().get());
            assertEquals(0, admin.describeCluster().controller().get().id());
            TopicDescription orders = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
            assertEquals(ordersId, orders.topicId());
            assertEquals(5, orders.partitions().size());
            orders.partitions().forEach(p -> assertEquals(0, p.leader().id()));
            assertEquals(Set.of("orders"), admin.listTopics().names().get());
        }
    }

    private void assertKafkaZnodeLayout(Uuid ordersId) throws Exception {
        try (CuratorFramework zk = ZkClients.connect(broker.zkCluster().connectString(), 10_000, 10_000)) {
            Map<String, Object> topic = ZkJson.decodeObject(zk.getData().forPath("/brokers/topics/orders"));
            assertEquals(3L, topic.get("version"));
            assertEquals(ordersId.toString(), topic.get("topic_id"));
            assertEquals(List.of(0L), ((Map<?, ?>) topic.get("partitions")).get("4"));
            Map<String, Object> state = ZkJson.decodeObject(
                    zk.getData().forPath("/brokers/topics/orders/partitions/0/state"));
            assertEquals(0L, state.get("leader"));
            assertEquals(List.of(0L), state.get("isr"));
            assertEquals(1L, state.get("controller_epoch"));
            assertEquals(Map.of("retention.ms", "3600000"),
                    ZkData.decodeConfig(zk.getData().forPath("/config/topics/orders")));
            Map<String, Object> registration = ZkJson.decodeObject(zk.getData().forPath("/brokers/ids/0"));
            assertEquals(5L, registration.get("version"));
            assertEquals(List.of("PLAINTEXT://127.0.0.1:" + broker.port()), registration.get("endpoints"));
            assertEquals(0L, ZkJson.decodeObject(zk.getData().forPath("/controller")).get("brokerid"));
            assertEquals(List.of(), zk.getChildren().forPath("/admin/delete_topics"));
            assertEquals(null, zk.checkExists().forPath("/brokers/topics/defaults"));
        }
    }

    /** More partitions than one ZooKeeper transaction carries: the controller writes their states in chunks. */
    @Test
    void aTopicWithManyPartitionsGetsEveryLeader() throws Exception {
        broker = start();
        int partitions = Controller.MAX_OPS_PER_TRANSACTION / 2 + 100; // about 3 znodes each: two transactions
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("wide", partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long led = 0;
            while (System.nanoTime() < deadline) {
                TopicDescription wide = admin.describeTopics(List.of("wide")).allTopicNames().get().get("wide");
                led = wide.partitions().stream().filter(p -> p.leader() != null && p.leader().id() == 0).count();
                if (led == partitions) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(partitions, led, "partitions with a leader");
        }
        try (var logs = Files.list(dir.resolve("logs"))) {
            assertEquals(partitions, logs.filter(d -> d.getFileName().toString().startsWith("wide-")).count(), "logs");
        }
    }

    @Test
    void metadataAutoCreatesTopicsAndProducerIdsComeInBlocks() throws Exception {
        broker = start();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.port());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor("auto-created", Duration.ofSeconds(20));
            assertEquals(1, partitions.size());
            assertEquals(0, partitions.get(0).leader().id());
        }
        assertTrue(broker.metadataCache().image().topic("auto-created").isPresent());

        assertEquals(0L, broker.producerIdManager().nextProducerId().get(10, TimeUnit.SECONDS));
        assertEquals(1L, broker.producerIdManager().nextProducerId().get(10, TimeUnit.SECONDS));
        for (int i = 2; i < 1001; i++) {
            assertEquals(i, broker.producerIdManager().nextProducerId().get(10, TimeUnit.SECONDS));
        }
        broker.close();
        broker = start();
        // a restarted broker claims a fresh block, never reusing ids
        assertEquals(2000L, broker.producerIdManager().nextProducerId().get(10, TimeUnit.SECONDS));
    }
}
