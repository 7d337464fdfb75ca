package io.sluice.server;

import io.sluice.server.config.BrokerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The run that {@code bin/sluice-server-start.sh} makes once after a build, under
 * {@code -XX:ArchiveClassesAtExit}, so that later starts map the classes a broker needs from a class
 * data sharing archive instead of loading and verifying them one by one. It starts a broker on a free
 * port and throw-away directories, produces and fetches one record through the real network path, and
 * stops. Not thread-safe; a command-line entry point only.
 */
final class StartupTraining {

    private StartupTraining() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("sluice-training");
        try (Broker broker = new Broker(new BrokerConfig(Map.of(
                BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0",
                BrokerConfig.LOG_DIRS, dir.resolve("data").toString())))) {
            broker.startup();
            String bootstrap = "127.0.0.1:" + broker.port();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("training", "k".getBytes(), "v".getBytes())).get();
            }
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition("training", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                ConsumerRecords<byte[], byte[]> records = ConsumerRecords.empty();
                for (int i = 0; i < 20 && records.isEmpty(); i++) {
                    records = consumer.poll(Duration.ofMillis(250));
                }
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
