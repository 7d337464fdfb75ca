package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Unmodified kafka-clients with their defaults, except bounded timeouts so that a broker that does
 * not answer fails a test in seconds instead of hanging it for minutes.
 */
final class Clients {

    /** Generous: a healthy broker on loopback answers in milliseconds. */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Clients() {
    }

    /** A topic name no other test of the run uses. */
    static String uniqueTopic(String prefix) {
        return prefix + "-" + SEQUENCE.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    static Properties adminProps(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        return props;
    }

    static Properties producerProps(String bootstrap, Map<String, ?> overrides) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.putAll(overrides);
        return props;
    }

    static KafkaProducer<String, String> producer(String bootstrap, Map<String, ?> overrides) {
        return new KafkaProducer<>(producerProps(bootstrap, overrides), new StringSerializer(), new StringSerializer());
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return producer(bootstrap, Map.of());
    }

    /** A consumer without a group: the tests assign partitions and seek, as the issue asks. */
    static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    static void createTopic(Admin admin, String topic, int partitions, Map<String, String> configs) throws Exception {
        createTopic(admin, topic, partitions, (short) 1, configs);
    }

    /** As {@link #createTopic(Admin, String, int, Map)}, with {@code replicationFactor} replicas of each partition. */
    static void createTopic(Admin admin, String topic, int partitions, short replicationFactor,
                            Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(configs)))
                .all().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        // CreateTopics answers once the controller wrote the topic; wait until the broker leads every
        // partition, as Kafka's own tests do (TestUtils.waitForPartitionMetadata) before producing.
        waitUntil("metadata of " + topic + " lists " + partitions + " partitions with a leader", () -> {
            try {
                var description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                return description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            } catch (Exception e) {
                return false;
            }
        });
    }

    static void createTopic(Admin admin, String topic, int partitions) throws Exception {
        createTopic(admin, topic, partitions, Map.of());
    }

    /** Assigns {@code tp}, seeks to {@code offset} and polls until {@code count} records came or the deadline passed. */
    static List<ConsumerRecord<String, String>> consume(String bootstrap, TopicPartition tp, long offset, int count) {
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            return poll(consumer, count);
        }
    }

    static <K, V> List<ConsumerRecord<K, V>> poll(KafkaConsumer<K, V> consumer, int count) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        if (records.size() < count) {
            fail("expected " + count + " records within " + DEADLINE + ", got " + records.size() + ": " + records);
        }
        return records;
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@link #DEADLINE}. */
    static void waitUntil(String what, BooleanSupplier condition) {
        waitUntil(what, DEADLINE, condition);
    }

    /** As {@link #waitUntil(String, BooleanSupplier)}, for waits that outlast {@link #DEADLINE} by design (a session expiry). */
    static void waitUntil(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }
}
