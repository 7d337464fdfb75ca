package io.sluice.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three brokers in one JVM replicate a topic of replication factor 3: an acks=all producer is acknowledged, and every
 * broker's log of every partition holds the same bytes (DescribeLogDirs sizes), with the whole ISR.
 */
class ReplicationTest {

    @Test
    void everyReplicaHoldsWhatAcksAllAcknowledged() throws Exception {
        try (EmbeddedSluice sluice = EmbeddedSluice.builder().brokers(3).topic("replicated", 3, 3).start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sluice.bootstrapServers()))) {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, sluice.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 300; i++) {
                    producer.send(new ProducerRecord<>("replicated", i % 3, "k" + i, "value-" + i))
                            .get(30, TimeUnit.SECONDS);
                }
            }
            for (TopicPartitionInfo partition : admin.describeTopics(List.of("replicated")).allTopicNames().get()
                    .get("replicated").partitions()) {
                assertEquals(3, partition.isr().size(), "ISR of partition " + partition);
            }
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(List.of(0, 1, 2))
                    .allDescriptions().get();
            for (int p = 0; p < 3; p++) {
                TopicPartition tp = new TopicPartition("replicated", p);
                Long size = null;
                for (Map<String, LogDirDescription> broker : dirs.values()) {
                    for (LogDirDescription dir : broker.values()) {
                        ReplicaInfo info = dir.replicaInfos().get(tp);
                        if (info != null) {
                            if (size == null) {
                                size = info.size();
                            }
                            assertEquals(size, info.size(), "replica sizes of " + tp + ": " + dirs);
                        }
                    }
                }
            }
        }
    }
}
