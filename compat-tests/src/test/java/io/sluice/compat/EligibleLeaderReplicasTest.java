package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KIP-966's "last replica standing": the last member of an ISR crashes and loses records it acknowledged but had not
 * flushed (the page cache a power failure takes; after SIGKILL the operating system still has it, so the test cuts the
 * tail off the segment itself). Kafka 3.9's ZooKeeper controller kept that member as the ISR and elected it again,
 * and the other replicas truncated to its shorter log; Kafka 4.3 and Sluice keep the replicas that left an ISR smaller
 * than {@code min.insync.replicas} as eligible leaders, and a replica that restarts after an unclean shutdown loses its
 * place among them.
 *
 * <p>Two replicas of five brokers against Apache Kafka (so that three KRaft controllers stay up), of three against
 * Sluice (whose ZooKeeper runs apart).
 */
class EligibleLeaderReplicasTest {

    private static final Map<String, String> FAST_FAILURE_DETECTION = Map.of(
            "zookeeper.session.timeout.ms", "6000",
            "replica.lag.time.max.ms", "4000");
    private static final Duration FAILOVER = Duration.ofSeconds(60);
    private static final int RECORDS = 200;

    @Test
    void aCleanlyStoppedReplicaLeadsAfterTheLastIsrMemberCrashedAndLostItsTail(@TempDir Path dir) throws Exception {
        int brokers = SluiceCluster.againstApacheKafka() ? 5 : 3;
        try (ClusterProcesses cluster = ClusterProcesses.start(dir, brokers, FAST_FAILURE_DETECTION);
             Admin admin = cluster.admin()) {
            List<Integer> ids = List.copyOf(cluster.brokerIds());
            int last = ids.get(0);
            int eligible = ids.get(1);
            String topic = Clients.uniqueTopic("standing");
            TopicPartition tp = new TopicPartition(topic, 0);
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(last, eligible)))
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
            Clients.waitUntil("both replicas are in sync", FAILOVER, () -> isr(cluster, tp).size() == 2);
            List<String> acked = produceAcksAll(cluster, topic, RECORDS);

            // the follower stops cleanly: the ISR is the leader alone, below the minimum, and acks=all is refused
            cluster.stop(eligible);
            Clients.waitUntil("the stopped follower left the ISR", FAILOVER, () -> isr(cluster, tp).equals(List.of(last)));
            // the last ISR member crashes, losing the unflushed tail of what both had acknowledged
            cluster.kill(last);
            Clients.waitUntil("the partition is offline", FAILOVER, () -> leader(cluster, tp) == -1);
            cutTail(cluster.logDir(last).resolve(topic + "-0"));

            cluster.restart(eligible);
            Clients.waitUntil("the eligible replica leads", FAILOVER, () -> leader(cluster, tp) == eligible);
            cluster.restart(last);
            Clients.waitUntil("the crashed replica caught up from the new leader and is back in the ISR", FAILOVER,
                    () -> isr(cluster, tp).size() == 2);

            List<String> consumed = new ArrayList<>();
            for (ConsumerRecord<String, String> record : Clients.consume(cluster.bootstrap(), tp, 0, RECORDS)) {
                consumed.add(record.value());
            }
            assertEquals(acked, consumed, "every record acknowledged with acks=all, in order");
            Clients.waitUntil("both replicas hold the same log", FAILOVER,
                    () -> java.util.Arrays.equals(cluster.logBytes(last, tp), cluster.logBytes(eligible, tp)));
            assertArrayEquals(cluster.logBytes(eligible, tp), cluster.logBytes(last, tp));
        }
    }

    /** Acknowledged values, sent one after the other by an idempotent acks=all producer. */
    static List<String> produceAcksAll(ClusterProcesses cluster, String topic, int count) throws Exception {
        List<String> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap(), Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            for (int i = 0; i < count; i++) {
                String value = "v" + i;
                producer.send(new ProducerRecord<>(topic, 0, "k", value)).get(30, TimeUnit.SECONDS);
                acked.add(value);
            }
        }
        return acked;
    }

    /** Cuts the active segment of a partition in half: what a lost page cache leaves of recent writes. */
    static void cutTail(Path partitionDir) throws IOException {
        Path segment;
        try (var files = Files.list(partitionDir)) {
            segment = files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted()
                    .reduce((first, second) -> second).orElseThrow();
        }
        long size = Files.size(segment);
        assertTrue(size > 0, "the segment has records to lose");
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size / 2);
        }
    }

    static List<Integer> isr(ClusterProcesses cluster, TopicPartition tp) {
        try {
            return cluster.isr(tp);
        } catch (Exception e) {
            return List.of(-2);
        }
    }

    static int leader(ClusterProcesses cluster, TopicPartition tp) {
        try {
            return cluster.leader(tp);
        } catch (Exception e) {
            return -2;
        }
    }
}
