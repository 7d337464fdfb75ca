package io.sluice.bench.embedded;

import io.sluice.embedded.EmbeddedSluice;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One measurement in a fresh JVM: from asking for an embedded broker to the first record acknowledged with
 * acks=all by it, in the same JVM. {@code sluice} starts {@code EmbeddedSluice} (its embedded ZooKeeper
 * included, the topic created before start returns); {@code kafka} starts Apache Kafka 4.3's
 * {@code KafkaClusterTestKit} as spring-kafka-test's {@code EmbeddedKafkaKraftBroker} does (one combined KRaft
 * node: format, start, wait for the broker, create the topic). Prints the
 * milliseconds; the JVM's own start is not included, as a test suite pays it once.
 */
public final class StartupToFirstAck {

    private static final String TOPIC = "startup";

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !(args[0].equals("sluice") || args[0].equals("kafka"))) {
            System.err.println("usage: StartupToFirstAck sluice|kafka");
            System.exit(2);
        }
        long start = System.nanoTime();
        AutoCloseable broker;
        String bootstrap;
        if (args[0].equals("sluice")) {
            EmbeddedSluice sluice = EmbeddedSluice.builder().topic(TOPIC, 1).start();
            broker = sluice;
            bootstrap = sluice.bootstrapServers();
        } else {
            KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build();
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            try (Admin admin = kafka.admin()) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            broker = kafka;
            bootstrap = kafka.bootstrapServers();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "k", "v")).get(60, TimeUnit.SECONDS);
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println(elapsedMs);
        broker.close();
        System.exit(0);
    }
}
