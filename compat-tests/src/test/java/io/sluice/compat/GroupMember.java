package io.sluice.compat;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A kafka-clients group consumer ({@code subscribe}) polling on its own thread, as an application's consumer
 * loop: what it owns, what it consumed, and every revocation and assignment its rebalance listener saw. Its
 * thread is the only one touching the consumer; the test reads snapshots.
 */
final class GroupMember implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final Set<TopicPartition> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<ConsumerRecord<String, String>> consumed = new CopyOnWriteArrayList<>();
    private final List<Set<TopicPartition>> revocations = new CopyOnWriteArrayList<>();
    private final List<Set<TopicPartition>> lost = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile boolean commitSyncEachPoll;

    private GroupMember(Properties props, Collection<String> topics, java.util.regex.Pattern pattern, String name) {
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        thread = new Thread(() -> loop(topics, pattern), "group-member-" + name);
        thread.setDaemon(true);
    }

    /** Group consumer properties: earliest, bounded timeouts, {@code overrides} last. */
    static Properties props(String bootstrap, String groupId, Map<String, String> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.putAll(overrides);
        return props;
    }

    static GroupMember start(String bootstrap, String groupId, String topic, Map<String, String> overrides) {
        Properties props = props(bootstrap, groupId, overrides);
        GroupMember member = new GroupMember(props, List.of(topic), null,
                String.valueOf(props.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, groupId)));
        member.thread.start();
        return member;
    }

    /** A member subscribed to every topic matching {@code pattern}. */
    static GroupMember startPattern(String bootstrap, String groupId, java.util.regex.Pattern pattern) {
        GroupMember member = new GroupMember(props(bootstrap, groupId, Map.of("metadata.max.age.ms", "1000")), null,
                pattern, groupId);
        member.thread.start();
        return member;
    }

    /** Commits synchronously after every poll that returned records (else auto-commit or nothing). */
    GroupMember commitSyncEachPoll() {
        commitSyncEachPoll = true;
        return this;
    }

    private void loop(Collection<String> topics, java.util.regex.Pattern pattern) {
        try {
            ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    revocations.add(Set.copyOf(partitions));
                    owned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    owned.addAll(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    lost.add(Set.copyOf(partitions));
                    owned.removeAll(partitions);
                }
            };
            if (pattern != null) {
                consumer.subscribe(pattern, listener);
            } else {
                consumer.subscribe(topics, listener);
            }
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                records.forEach(consumed::add);
                if (commitSyncEachPoll && !records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            // close() woke the loop
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(20)));
        }
    }

    Set<TopicPartition> owned() {
        return new HashSet<>(owned);
    }

    List<ConsumerRecord<String, String>> consumed() {
        return new ArrayList<>(consumed);
    }

    /** The partitions of each {@code onPartitionsRevoked} call, in order (including empty ones). */
    List<Set<TopicPartition>> revocations() {
        return new ArrayList<>(revocations);
    }

    List<Set<TopicPartition>> lost() {
        return new ArrayList<>(lost);
    }

    Throwable failure() {
        return failure.get();
    }

    /** Leaves the group (LeaveGroup on close) and waits for the consumer to be closed. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(30_000);
    }
}
