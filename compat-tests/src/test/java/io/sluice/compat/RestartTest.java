package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What a broker wrote is there after it restarts on the same directories: topics (with their ids),
 * topic configs and records, and the logs continue at the same offsets. Each test has its own broker.
 */
class RestartTest {

    private static final Map<String, String> CONFIGS = Map.of("retention.ms", "3600000", "cleanup.policy", "delete",
            "max.message.bytes", "500000");

    @Test
    void cleanRestartInProcessKeepsTopicsConfigsAndRecords(@TempDir Path dataDir) throws Exception {
        try (SluiceCluster cluster = SluiceCluster.start(dataDir)) {
            String topic = Clients.uniqueTopic("restart");
            Admin admin = cluster.admin();
            Clients.createTopic(admin, topic, 2, CONFIGS);
            Uuid topicId = describe(admin, topic).topicId();
            long timestamp = System.currentTimeMillis() - 10_000;
            produce(cluster.bootstrap(), topic, 0, 10, timestamp);

            cluster.restart();

            assertEverythingIsBack(cluster.admin(), cluster.bootstrap(), topic, topicId, timestamp);
        }
    }

    @Test
    void cleanStopOfABrokerProcessKeepsTopicsConfigsAndRecords(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "starts Sluice's own command line");
        try (BrokerProcess broker = BrokerProcess.start(dataDir);
             Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
            String topic = Clients.uniqueTopic("restart-process");
            Clients.createTopic(admin, topic, 2, CONFIGS);
            Uuid topicId = describe(admin, topic).topicId();
            long timestamp = System.currentTimeMillis() - 10_000;
            produce(broker.bootstrap(), topic, 0, 10, timestamp);
            admin.close();

            int exitCode = broker.stop();   // SIGTERM: the shutdown hook closes the broker
            assertTrue(broker.output().contains("Shutting down"), "exit code " + exitCode + ", output:\n" + broker.output());
            broker.restart();

            try (Admin after = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                assertEverythingIsBack(after, broker.bootstrap(), topic, topicId, timestamp);
            }
        }
    }

    @Test
    void acknowledgedRecordsSurviveKill9(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "starts Sluice's own command line");
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            String topic = Clients.uniqueTopic("kill9");
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                Clients.createTopic(admin, topic, 1);
            }
            long timestamp = System.currentTimeMillis() - 10_000;
            // acks=all: once acknowledged, a record is in the log (the OS page cache survives the process)
            produce(broker.bootstrap(), topic, 0, 100, timestamp);

            broker.kill9();
            broker.restart();

            TopicPartition tp = new TopicPartition(topic, 0);
            List<ConsumerRecord<String, String>> records = Clients.consume(broker.bootstrap(), tp, 0, 100);
            for (int i = 0; i < 100; i++) {
                assertEquals(i, records.get(i).offset());
                assertEquals("v" + i, records.get(i).value());
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
                assertEquals(100, producer.send(new ProducerRecord<>(topic, 0, "after", "kill")).get(30, TimeUnit.SECONDS).offset(),
                        "the log continues at its recovered end");
            }
        }
    }

    private static void assertEverythingIsBack(Admin admin, String bootstrap, String topic, Uuid topicId, long timestamp)
            throws Exception {
        assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic), "the topic is listed");
        TopicDescription description = describe(admin, topic);
        assertEquals(topicId, description.topicId(), "the topic keeps its id");
        assertEquals(2, description.partitions().size());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        CONFIGS.forEach((name, value) -> assertEquals(value, config.get(name).value(), name + " after restart"));

        TopicPartition tp = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, String>> records = Clients.consume(bootstrap, tp, 0, 10);
        for (int i = 0; i < 10; i++) {
            assertEquals(i, records.get(i).offset());
            assertEquals("k" + i, records.get(i).key());
            assertEquals("v" + i, records.get(i).value());
            assertEquals(timestamp + i, records.get(i).timestamp());
        }
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            assertEquals(10, producer.send(new ProducerRecord<>(topic, 0, "k10", "v10")).get(30, TimeUnit.SECONDS).offset(),
                    "the log continues at its end offset");
            assertEquals(0, producer.send(new ProducerRecord<>(topic, 1, "p1", "first")).get(30, TimeUnit.SECONDS).offset(),
                    "the empty partition is still empty");
        }
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    private static void produce(String bootstrap, String topic, int partition, int count, long timestamp) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, partition, timestamp + i, "k" + i, "v" + i)));
            }
            for (java.util.concurrent.Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
