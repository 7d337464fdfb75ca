package io.sluice.server.partition;

import io.sluice.server.Broker;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.controller.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data path against a real broker in this JVM (embedded ZooKeeper, logs on disk, loopback socket),
 * driven by kafka-clients' own producer, consumer and admin client with their default settings.
 */
class KafkaClientsDataPathTest {

    private static final String TOPIC = "data";

    @TempDir
    Path dataDir;
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        Properties props = new Properties();
        props.setProperty("broker.id", "0");
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:0");
        props.setProperty("log.dirs", dataDir.resolve("logs").toString());
        broker = new Broker(new BrokerConfig(props));
        broker.startup();
        broker.topicAdmin().createTopic(TopicAdmin.NewTopic.of(TOPIC, 2, (short) 1), false, 30_000).get(30, TimeUnit.SECONDS);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (broker.replicaManager().partition(tp).map(p -> !p.isLeader()).orElse(true)) {
            assertTrue(System.nanoTime() < deadline, "the broker never became leader of " + tp);
            Thread.sleep(10);
        }
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    private KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void idempotentProducerThenConsumerReadsEverythingInOrder(String compression) throws Exception {
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression))) {
            long expectedOffset = 0;
            for (int i = 0; i < 50; i++) {
                String value = compression + "-" + i;
                sent.add(value);
                RecordMetadata metadata = producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, value)).get(30, TimeUnit.SECONDS);
                assertEquals(expectedOffset++, metadata.offset());
            }
        }
        assertEquals(sent, consumeFromBeginning(new TopicPartition(TOPIC, 0), sent.size()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksSettingDelivers(String acks) throws Exception {
        List<String> sent = new ArrayList<>();
        Map<String, Object> config = Map.of(ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"));
        try (KafkaProducer<String, String> producer = producer(config)) {
            List<CompletableFuture<RecordMetadata>> acked = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String value = "acks" + acks + "-" + i;
                sent.add(value);
                CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(TOPIC, 1, null, value), (m, e) -> {
                    if (e != null) {
                        future.completeExceptionally(e);
                    } else {
                        future.complete(m);
                    }
                });
                acked.add(future);
            }
            producer.flush();
            for (CompletableFuture<RecordMetadata> future : acked) {
                future.get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(sent, consumeFromBeginning(new TopicPartition(TOPIC, 1), sent.size()));
    }

    @Test
    void longPollReturnsARecordProducedWhileWaiting() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = consumer();
             KafkaProducer<String, String> producer = producer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            assertEquals(0, consumer.position(tp));
            CompletableFuture<ConsumerRecords<String, String>> polled = CompletableFuture.supplyAsync(() -> {
                ConsumerRecords<String, String> records = ConsumerRecords.empty();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (records.isEmpty() && System.nanoTime() < deadline) {
                    records = consumer.poll(Duration.ofSeconds(30));
                }
                return records;
            });
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "woken")).get(30, TimeUnit.SECONDS);
            ConsumerRecords<String, String> records = polled.get(90, TimeUnit.SECONDS);
            assertEquals(1, records.count());
            assertEquals("woken", records.iterator().next().value());
            assertEquals(1, consumer.position(tp));
        }
    }

    @Test
    void adminListOffsetsAndDeleteRecords() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            assertEquals(0, offset(admin, tp, OffsetSpec.earliest()));
            assertEquals(10, offset(admin, tp, OffsetSpec.latest()));
            long lowWatermark = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks()
                    .get(tp).get(30, TimeUnit.SECONDS).lowWatermark();
            assertEquals(4, lowWatermark);
            assertEquals(4, offset(admin, tp, OffsetSpec.earliest()));
            assertEquals(10, offset(admin, tp, OffsetSpec.latest()));
        }
        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertEquals(4, consumer.position(tp));
        }
    }

    private static long offset(Admin admin, TopicPartition tp, OffsetSpec spec) throws Exception {
        ListOffsetsResult.ListOffsetsResultInfo info = admin.listOffsets(Map.of(tp, spec)).partitionResult(tp)
                .get(30, TimeUnit.SECONDS);
        return info.offset();
    }

    private List<String> consumeFromBeginning(TopicPartition tp, int count) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            assertEquals(count, consumer.position(tp));
        }
        return values;
    }
}
