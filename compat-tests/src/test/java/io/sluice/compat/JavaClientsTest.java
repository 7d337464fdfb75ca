package io.sluice.compat;


import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;


import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kafka-clients' producer and consumer, unmodified, against one broker shared by the tests (unique topics). */
class JavaClientsTest extends SharedBrokerTest {

    @Test
    void idempotentProducerWithDefaultsIsReadBackExactly() throws Exception {
        String topic = Clients.uniqueTopic("defaults");
        Clients.createTopic(admin, topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        long baseTimestamp = System.currentTimeMillis() - 60_000;
        List<ProducerRecord<String, String>> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            List<Header> headers = List.of(new RecordHeader("h" + i, ("hv" + i).getBytes(StandardCharsets.UTF_8)),
                    new RecordHeader("trace", null));
            sent.add(new ProducerRecord<>(topic, 0, baseTimestamp + i * 1000L, "key-" + i, "value-" + i, headers));
        }
        List<RecordMetadata> acks = new ArrayList<>();
        // Defaults since Kafka 3.0: enable.idempotence=true, acks=all.
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (ProducerRecord<String, String> record : sent) {
                futures.add(producer.send(record));
            }
            for (Future<RecordMetadata> future : futures) {
                acks.add(future.get(30, TimeUnit.SECONDS));
            }
        }
        for (int i = 0; i < acks.size(); i++) {
            assertEquals(i, acks.get(i).offset(), "offset acknowledged for record " + i);
            assertEquals(baseTimestamp + i * 1000L, acks.get(i).timestamp(), "CreateTime acknowledged for record " + i);
        }

        List<ConsumerRecord<String, String>> read = Clients.consume(cluster.bootstrap(), tp, 0, 10);
        assertEquals(10, read.size());
        for (int i = 0; i < 10; i++) {
            ConsumerRecord<String, String> record = read.get(i);
            assertEquals(i, record.offset());
            assertEquals("key-" + i, record.key());
            assertEquals("value-" + i, record.value());
            assertEquals(baseTimestamp + i * 1000L, record.timestamp());
            assertEquals(TimestampType.CREATE_TIME, record.timestampType());
            Header[] headers = record.headers().toArray();
            assertEquals(2, headers.length, "headers of record " + i);
            assertEquals("h" + i, headers[0].key());
            assertArrayEquals(("hv" + i).getBytes(StandardCharsets.UTF_8), headers[0].value());
            assertEquals("trace", headers[1].key());
            assertNull(headers[1].value(), "a header with a null value stays null");
        }
    }

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesAreReadBackAndSeekableInside(String codec) throws Exception {
        String topic = Clients.uniqueTopic("codec-" + codec);
        Clients.createTopic(admin, topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        int count = 200;
        // linger so the records share compressed batches
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(),
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, "50"))) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, ("v" + i + " ").repeat(20))));
            }
            for (int i = 0; i < count; i++) {
                assertEquals(i, futures.get(i).get(30, TimeUnit.SECONDS).offset());
            }
        }
        List<ConsumerRecord<String, String>> all = Clients.consume(cluster.bootstrap(), tp, 0, count);
        for (int i = 0; i < count; i++) {
            assertEquals(i, all.get(i).offset());
            assertEquals("k" + i, all.get(i).key());
            assertEquals(("v" + i + " ").repeat(20), all.get(i).value());
        }
        // A fetch from the middle of a compressed batch returns the whole batch; the client drops what is before.
        List<ConsumerRecord<String, String>> fromMiddle = Clients.consume(cluster.bootstrap(), tp, 137, count - 137);
        assertEquals(137, fromMiddle.get(0).offset());
        assertEquals("k137", fromMiddle.get(0).key());
    }

    @ParameterizedTest(name = "acks={0}")
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksSettingDelivers(String acks) throws Exception {
        String topic = Clients.uniqueTopic("acks-" + acks);
        Clients.createTopic(admin, topic, 1);
        int count = 20;
        Map<String, String> config = Map.of(ProducerConfig.ACKS_CONFIG, acks,
                // idempotence requires acks=all; acks=0 and 1 are the non-idempotent producer
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(acks.equals("all")));
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(), config)) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
            }
            producer.flush();
            for (int i = 0; i < count; i++) {
                RecordMetadata metadata = futures.get(i).get(30, TimeUnit.SECONDS);
                // With acks=0 the broker answers nothing, so the client knows no offset.
                assertEquals(acks.equals("0") ? -1 : i, metadata.offset(), "offset of record " + i);
            }
        }
        // acks=0 records may still be in flight on the broker when the producer closes: poll until all came
        List<ConsumerRecord<String, String>> read = Clients.consume(cluster.bootstrap(), new TopicPartition(topic, 0), 0, count);
        for (int i = 0; i < count; i++) {
            assertEquals(i, read.get(i).offset());
            assertEquals("v" + i, read.get(i).value());
        }
    }

    @Test
    void consumerAssignSeekAndPositionAcrossPartitions() throws Exception {
        String topic = Clients.uniqueTopic("seek");
        Clients.createTopic(admin, topic, 3);
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 5 + p; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "p" + p + "-k" + i, "p" + p + "-v" + i));
                }
            }
            // a tombstone and an empty value, on partition 0 at offsets 5 and 6
            producer.send(new ProducerRecord<>(topic, 0, "tombstone", null));
            producer.send(new ProducerRecord<>(topic, 0, null, "")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.bootstrap())) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            TopicPartition p1 = new TopicPartition(topic, 1);
            TopicPartition p2 = new TopicPartition(topic, 2);
            consumer.assign(List.of(p0, p1, p2));

            consumer.seekToEnd(List.of(p0, p1, p2));
            assertEquals(7, consumer.position(p0, Duration.ofSeconds(30)), "log end offset of partition 0");
            assertEquals(6, consumer.position(p1, Duration.ofSeconds(30)), "log end offset of partition 1");
            assertEquals(7, consumer.position(p2, Duration.ofSeconds(30)), "log end offset of partition 2");
            assertEquals(Map.of(p0, 0L, p1, 0L, p2, 0L), consumer.beginningOffsets(List.of(p0, p1, p2)));
            assertEquals(Map.of(p0, 7L, p1, 6L, p2, 7L), consumer.endOffsets(List.of(p0, p1, p2)));

            consumer.pause(List.of(p0, p2));
            consumer.seek(p1, 3);
            List<ConsumerRecord<String, String>> fromP1 = Clients.poll(consumer, 3);
            assertEquals(List.of(3L, 4L, 5L), fromP1.stream().map(ConsumerRecord::offset).toList());
            assertEquals(List.of("p1-v3", "p1-v4", "p1-v5"), fromP1.stream().map(ConsumerRecord::value).toList());
            assertTrue(fromP1.stream().allMatch(r -> r.partition() == 1));
            assertEquals(6, consumer.position(p1));

            consumer.pause(List.of(p1));
            consumer.resume(List.of(p0));
            consumer.seek(p0, 4);
            List<ConsumerRecord<String, String>> fromP0 = Clients.poll(consumer, 3);
            assertEquals(List.of(4L, 5L, 6L), fromP0.stream().map(ConsumerRecord::offset).toList());
            assertEquals("p0-v4", fromP0.get(0).value());
            assertEquals("tombstone", fromP0.get(1).key());
            assertNull(fromP0.get(1).value(), "a tombstone is read back as a null value");
            assertNull(fromP0.get(2).key(), "a null key is read back as null");
            assertEquals("", fromP0.get(2).value(), "an empty value is not a null value");
            assertEquals(7, consumer.position(p0));
        }
    }
    @Test
    void producingToAnUnknownTopicAutoCreatesIt() throws Exception {
        // auto.create.topics.enable=true and num.partitions=1 are Kafka's defaults
        String topic = Clients.uniqueTopic("auto-created");
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            assertEquals(0, producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS).offset());
        }
        assertEquals(1, admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size());
    }

    @Test
    void aRecordOverMaxMessageBytesIsRefusedByTheBroker() throws Exception {
        String topic = Clients.uniqueTopic("too-large");
        Clients.createTopic(admin, topic, 1, Map.of("max.message.bytes", "100000"));
        // the client would accept it (max.request.size 1 MiB): the broker refuses it, with MESSAGE_TOO_LARGE
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, 0, "big", "x".repeat(200_000))).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, refused.getCause());
            assertEquals(0, producer.send(new ProducerRecord<>(topic, 0, "small", "x".repeat(50_000))).get(30, TimeUnit.SECONDS).offset(),
                    "nothing of the refused batch was appended");
        }
    }

    @Test
    void minInsyncReplicasAboveTheReplicationFactorStillTakesAcksAll() throws Exception {
        String topic = Clients.uniqueTopic("min-isr");
        Clients.createTopic(admin, topic, 1, Map.of("min.insync.replicas", "2"));
        // Kafka caps min.insync.replicas at the replication factor (Partition.effectiveMinIsr): one replica
        // is enough here; a replicated partition whose ISR shrank below it answers NOT_ENOUGH_REPLICAS
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(),
                Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            assertEquals(0, producer.send(new ProducerRecord<>(topic, 0, "k", "v")).get(30, TimeUnit.SECONDS).offset());
        }
    }

    @Test
    void aFetchReturnsAtLeastOneBatchEvenOverTheFetchSizes() throws Exception {
        String topic = Clients.uniqueTopic("big-records");
        Clients.createTopic(admin, topic, 1);
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, String.valueOf(i).repeat(50_000))).get(30, TimeUnit.SECONDS);
            }
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        // KIP-74: a batch larger than the fetch sizes is still returned, so the consumer makes progress
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "1024");
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "1024");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            List<ConsumerRecord<String, String>> records = Clients.poll(consumer, 3);
            assertEquals(List.of(0L, 1L, 2L), records.stream().map(ConsumerRecord::offset).toList());
            assertEquals("2".repeat(50_000), records.get(2).value());
        }
    }

    @Test
    void logAppendTimeTopicsStampRecordsWithTheBrokerClock() throws Exception {
        String topic = Clients.uniqueTopic("log-append-time");
        Clients.createTopic(admin, topic, 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long before = System.currentTimeMillis();
        RecordMetadata metadata;
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            // a CreateTime from long ago, which the broker replaces
            metadata = producer.send(new ProducerRecord<>(topic, 0, 1_000L, "k", "v")).get(30, TimeUnit.SECONDS);
        }
        long after = System.currentTimeMillis();
        assertTrue(metadata.timestamp() >= before && metadata.timestamp() <= after,
                "the acknowledged timestamp is the broker's append time: " + metadata.timestamp());
        ConsumerRecord<String, String> record = Clients.consume(cluster.bootstrap(), new TopicPartition(topic, 0), 0, 1).get(0);
        assertEquals(TimestampType.LOG_APPEND_TIME, record.timestampType());
        assertEquals(metadata.timestamp(), record.timestamp());
    }
}
