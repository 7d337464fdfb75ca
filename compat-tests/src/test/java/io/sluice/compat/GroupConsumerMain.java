package io.sluice.compat;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A tiny application run in its own JVM by {@link ConsumerGroupsCompatTest}, so that the test can kill it with
 * SIGKILL: a group consumer ({@code session.timeout.ms=6000}, commitSync after each poll with records) printing
 * {@code assigned 0,1}, {@code revoked 0,1} and {@code record <partition> <offset>} lines. It runs until its stdin
 * is closed.
 *
 * <pre>java io.sluice.compat.GroupConsumerMain BOOTSTRAP GROUP TOPIC CLIENT_ID</pre>
 */
public final class GroupConsumerMain {

    private GroupConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String group = args[1];
        String topic = args[2];
        String clientId = args[3];
        var props = GroupMember.props(bootstrap, group, Map.of("client.id", clientId, "enable.auto.commit", "false",
                "session.timeout.ms", "6000", "heartbeat.interval.ms", "1000"));
        Thread stdinWatcher = new Thread(() -> {
            try {
                System.in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException e) {
                // treated as closed
            }
        });
        stdinWatcher.setDaemon(true);
        stdinWatcher.start();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    System.out.println("revoked " + numbers(partitions));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    System.out.println("assigned " + numbers(partitions));
                }
            });
            while (stdinWatcher.isAlive()) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> record : records) {
                    System.out.println("record " + record.partition() + " " + record.offset());
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                    System.out.println("committed");
                }
                System.out.flush();
            }
        }
        System.out.println("closed");
    }

    private static String numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(tp -> String.valueOf(tp.partition())).sorted().collect(Collectors.joining(","));
    }
}
