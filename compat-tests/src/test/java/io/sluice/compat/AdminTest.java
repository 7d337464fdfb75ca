package io.sluice.compat;


import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;


import org.junit.jupiter.api.Test;



import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kafka-clients' Admin, unmodified, against one broker shared by the tests (unique topics). */
class AdminTest extends SharedBrokerTest {

    private static <T> T get(KafkaFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    /** The cause of a failed admin future, as an application's catch block sees it. */
    private static Throwable failureOf(KafkaFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return get(admin.describeConfigs(List.of(resource)).all()).get(resource);
    }

    @Test
    void createListDescribeAndDeleteTopics() throws Exception {
        String topic = Clients.uniqueTopic("lifecycle");
        get(admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(Map.of("retention.ms", "3600000")))).all());

        // CreateTopics answers when the controller decided; brokers learn of the topic right after, in Kafka too
        TopicDescription description = awaitDescription(topic);
        assertTrue(get(admin.listTopics().names()).contains(topic), "listTopics names the new topic");
        assertEquals(topic, description.name());
        assertFalse(description.isInternal());
        assertNotEquals(Uuid.ZERO_UUID, description.topicId(), "a topic has a topic id since Kafka 2.8");
        assertEquals(List.of(0, 1, 2), description.partitions().stream().map(TopicPartitionInfo::partition).toList());
        for (TopicPartitionInfo partition : description.partitions()) {
            assertEquals(cluster.brokerId(), partition.leader().id(), "leader of partition " + partition.partition());
            assertEquals(List.of(cluster.brokerId()), partition.replicas().stream().map(Node::id).toList());
            assertEquals(List.of(cluster.brokerId()), partition.isr().stream().map(Node::id).toList());
        }
        ConfigEntry retention = topicConfig(topic).get("retention.ms");
        assertEquals("3600000", retention.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.source());

        Throwable duplicate = failureOf(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all());
        assertInstanceOf(TopicExistsException.class, duplicate);

        get(admin.deleteTopics(List.of(topic)).all());
        Clients.waitUntil(topic + " is gone from listTopics", () -> {
            try {
                return !get(admin.listTopics().names()).contains(topic);
            } catch (Exception e) {
                return false;
            }
        });
        assertInstanceOf(UnknownTopicOrPartitionException.class,
                failureOf(admin.describeTopics(List.of(topic)).allTopicNames()));
        assertInstanceOf(UnknownTopicOrPartitionException.class,
                failureOf(admin.deleteTopics(List.of(topic)).all()));
    }

    @Test
    void createTopicWithDefaultPartitionsAndReplicationFactor() throws Exception {
        String topic = Clients.uniqueTopic("defaults");
        // NewTopic(name, Optional.empty(), Optional.empty()): the broker's num.partitions and default.replication.factor
        get(admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.empty(), java.util.Optional.empty()))).all());
        TopicDescription description = awaitDescription(topic);
        assertEquals(1, description.partitions().size(), "num.partitions defaults to 1");
        assertEquals(1, description.partitions().get(0).replicas().size(), "default.replication.factor defaults to 1");
    }

    @Test
    void createPartitionsGrowsATopicAndRefusesToShrinkIt() throws Exception {
        String topic = Clients.uniqueTopic("grow");
        Clients.createTopic(admin, topic, 1);
        get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all());
        Clients.waitUntil(topic + " has 4 partitions", () -> {
            try {
                return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().size() == 4;
            } catch (Exception e) {
                return false;
            }
        });
        assertInstanceOf(InvalidPartitionsException.class,
                failureOf(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all()));
        assertInstanceOf(InvalidPartitionsException.class,
                failureOf(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all()),
                "the same count is refused too, as Kafka does");

        // the new partitions take records
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            assertEquals(0, producer.send(new ProducerRecord<>(topic, 3, "k", "v")).get(30, TimeUnit.SECONDS).offset());
        }
    }

    @Test
    void describeAndIncrementalAlterTopicConfigs() throws Exception {
        String topic = Clients.uniqueTopic("configs");
        Clients.createTopic(admin, topic, 1);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        Config defaults = topicConfig(topic);
        ConfigEntry retention = defaults.get("retention.ms");
        assertEquals("604800000", retention.value(), "Kafka's default retention.ms (7 days)");
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, retention.source());
        assertEquals("delete", defaults.get("cleanup.policy").value());
        assertEquals("producer", defaults.get("compression.type").value());
        assertEquals("1", defaults.get("min.insync.replicas").value());

        Collection<AlterConfigOp> ops = List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000000"), AlterConfigOp.OpType.SET));
        get(admin.incrementalAlterConfigs(Map.of(resource, ops)).all());
        Config altered = topicConfig(topic);
        assertEquals("86400000", altered.get("retention.ms").value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, altered.get("retention.ms").source());
        assertEquals("delete,compact", altered.get("cleanup.policy").value(), "APPEND adds to Kafka's list value");
        assertEquals("2000000", altered.get("max.message.bytes").value());

        get(admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all());
        Config reverted = topicConfig(topic);
        assertEquals("604800000", reverted.get("retention.ms").value(), "DELETE goes back to the default");
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, reverted.get("retention.ms").source());
        assertEquals("2000000", reverted.get("max.message.bytes").value(), "other overrides stay");

        assertInstanceOf(InvalidConfigurationException.class, failureOf(admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "not-a-number"), AlterConfigOp.OpType.SET)))).all()));
        assertEquals("2000000", topicConfig(topic).get("max.message.bytes").value(), "a refused alter changes nothing");
    }

    @Test
    void deleteRecordsMovesTheLogStartOffset() throws Exception {
        String topic = Clients.uniqueTopic("delete-records");
        Clients.createTopic(admin, topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        produce(topic, 10, System.currentTimeMillis());

        long lowWatermark = get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp))
                .lowWatermark();
        assertEquals(4, lowWatermark);
        assertEquals(4, listOffset(tp, OffsetSpec.earliest()).offset());
        assertEquals(10, listOffset(tp, OffsetSpec.latest()).offset());
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.bootstrap())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertEquals(4, consumer.position(tp, Duration.ofSeconds(30)));
            assertEquals("v4", Clients.poll(consumer, 1).get(0).value());
        }
        // -1 (RecordsToDelete.beforeOffset(-1)) means the high watermark, as kafka-delete-records documents
        assertEquals(10, get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp))
                .lowWatermark());
        assertInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class,
                failureOf(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).lowWatermarks().get(tp)));
    }

    @Test
    void describeClusterNamesThisBroker() throws Exception {
        DescribeClusterResult result = admin.describeCluster();
        Collection<Node> nodes = get(result.nodes());
        assertEquals(1, nodes.size());
        Node node = nodes.iterator().next();
        assertEquals(cluster.brokerId(), node.id());
        assertEquals("127.0.0.1", node.host());
        assertEquals(cluster.port(), node.port());
        Node controller = get(result.controller());
        assertNotNull(controller);
        assertEquals(cluster.brokerId(), controller.id(), "a single broker is its own controller");
        String clusterId = get(result.clusterId());
        assertNotNull(clusterId);
        assertEquals(clusterId, get(cluster.admin().describeCluster().clusterId()), "the cluster id is stable");
    }

    @Test
    void listOffsetsEarliestLatestByTimestampAndMaxTimestamp() throws Exception {
        String topic = Clients.uniqueTopic("list-offsets");
        Clients.createTopic(admin, topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        assertEquals(0, listOffset(tp, OffsetSpec.earliest()).offset());
        assertEquals(0, listOffset(tp, OffsetSpec.latest()).offset());

        long t = System.currentTimeMillis() - 3_600_000;
        // out of order: the largest timestamp is at offset 2
        long[] timestamps = {t, t + 100, t + 500, t + 300, t + 400};
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            for (int i = 0; i < timestamps.length; i++) {
                producer.send(new ProducerRecord<>(topic, 0, timestamps[i], "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(0, listOffset(tp, OffsetSpec.earliest()).offset());
        assertEquals(5, listOffset(tp, OffsetSpec.latest()).offset());

        ListOffsetsResultInfo byTime = listOffset(tp, OffsetSpec.forTimestamp(t + 50));
        assertEquals(1, byTime.offset(), "first offset whose timestamp is >= the one asked");
        assertEquals(t + 100, byTime.timestamp());
        ListOffsetsResultInfo exact = listOffset(tp, OffsetSpec.forTimestamp(t + 300));
        assertEquals(2, exact.offset(), "offset 2 (t+500) is the first at or after t+300");
        ListOffsetsResultInfo beyond = listOffset(tp, OffsetSpec.forTimestamp(t + 10_000));
        assertEquals(-1, beyond.offset(), "no record at or after the timestamp: Kafka answers offset -1");

        ListOffsetsResultInfo max = listOffset(tp, OffsetSpec.maxTimestamp());
        assertEquals(2, max.offset());
        assertEquals(t + 500, max.timestamp());
    }

    private static TopicDescription awaitDescription(String topic) throws Exception {
        Clients.waitUntil("describeTopics knows " + topic, () -> {
            try {
                get(admin.describeTopics(List.of(topic)).allTopicNames());
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    }

    private static ListOffsetsResultInfo listOffset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return get(admin.listOffsets(Map.of(tp, spec)).partitionResult(tp));
    }

    private static void produce(String topic, int count, long timestamp) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, timestamp, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }
}
