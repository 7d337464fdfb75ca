package io.sluice.server.group;

import io.sluice.server.Broker;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.controller.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Classic consumer groups against a real broker in this JVM (embedded ZooKeeper, logs on disk, loopback), driven
 * by kafka-clients' consumer and admin client. No timed assertions: loops poll until the expected state, under a
 * JUnit timeout that only guards against hangs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsumerGroupTest {

    private static final String TOPIC = "groups";

    @TempDir
    Path dataDir;
    private Broker broker;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = startBroker();
        broker.topicAdmin().createTopic(TopicAdmin.NewTopic.of(TOPIC, 6, (short) 1), false, 30_000).get(30, TimeUnit.SECONDS);
    }

    private Broker startBroker() throws Exception {
        Properties props = new Properties();
        props.setProperty("broker.id", "0");
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:0");
        props.setProperty("log.dirs", dataDir.resolve("logs").toString());
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        Broker started = new Broker(new BrokerConfig(props));
        started.startup();
        return started;
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already closed
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    private String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    private KafkaConsumer<String, String> consumer(String group, Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(overrides);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        clients.add(consumer);
        return consumer;
    }

    private Admin admin() {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
        clients.add(admin);
        return admin;
    }

    private void produce(int count) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        // Not idempotent: InitProducerId is not what these tests are about.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Polls every consumer in turn until {@code done}: rebalances progress only while members poll. */
    private static void pollUntil(Collection<KafkaConsumer<String, String>> consumers, BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            for (KafkaConsumer<String, String> c : consumers) {
                c.poll(Duration.ofMillis(50));
            }
        }
    }

    private static boolean eachHas(List<KafkaConsumer<String, String>> consumers, int partitions) {
        Set<TopicPartition> all = new HashSet<>();
        for (KafkaConsumer<String, String> c : consumers) {
            if (c.assignment().size() != partitions) {
                return false;
            }
            all.addAll(c.assignment());
        }
        return all.size() == partitions * consumers.size();
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void threeMembersShareSixPartitionsAndTakeOverALeaver(String assignor) {
        String strategy = switch (assignor) {
            case "range" -> "org.apache.kafka.clients.consumer.RangeAssignor";
            case "roundrobin" -> "org.apache.kafka.clients.consumer.RoundRobinAssignor";
            case "sticky" -> "org.apache.kafka.clients.consumer.StickyAssignor";
            default -> "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
        };
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KafkaConsumer<String, String> c = consumer("g-" + assignor,
                    Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, strategy));
            c.subscribe(List.of(TOPIC));
            consumers.add(c);
        }
        pollUntil(consumers, () -> eachHas(consumers, 2));
        KafkaConsumer<String, String> leaving = consumers.remove(2);
        Set<TopicPartition> moved = Set.copyOf(leaving.assignment());
        leaving.close();
        pollUntil(consumers, () -> eachHas(consumers, 3));
        Set<TopicPartition> now = new HashSet<>();
        consumers.forEach(c -> now.addAll(c.assignment()));
        assertTrue(now.containsAll(moved));
    }

    @Test
    void committedOffsetIsWhereARestartedConsumerResumes() throws Exception {
        produce(10);
        KafkaConsumer<String, String> first = consumer("resume", Map.of());
        first.subscribe(List.of(TOPIC));
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        while (seen.size() < 10) {
            first.poll(Duration.ofMillis(100)).forEach(seen::add);
        }
        first.commitSync();
        first.close();
        produce(5);
        KafkaConsumer<String, String> second = consumer("resume", Map.of());
        second.subscribe(List.of(TOPIC));
        List<ConsumerRecord<String, String>> next = new ArrayList<>();
        while (next.isEmpty()) {
            second.poll(Duration.ofMillis(100)).forEach(next::add);
        }
        assertEquals(10, next.get(0).offset());
        second.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(12, "some metadata")));
        Map<TopicPartition, OffsetAndMetadata> committed = second.committed(Set.of(new TopicPartition(TOPIC, 0)));
        assertEquals(12, committed.get(new TopicPartition(TOPIC, 0)).offset());
        assertEquals("some metadata", committed.get(new TopicPartition(TOPIC, 0)).metadata());
    }

    @Test
    void staticMemberRejoinsWithoutRebalance() {
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            KafkaConsumer<String, String> c = consumer("static", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-" + i,
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000"));
            c.subscribe(List.of(TOPIC));
            consumers.add(c);
        }
        pollUntil(consumers, () -> eachHas(consumers, 3));
        int generation = consumers.get(0).groupMetadata().generationId();
        Set<TopicPartition> before = Set.copyOf(consumers.get(1).assignment());
        consumers.remove(1).close(); // a static member sends no LeaveGroup
        KafkaConsumer<String, String> back = consumer("static", Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-1",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000"));
        back.subscribe(List.of(TOPIC));
        consumers.add(back);
        pollUntil(consumers, () -> back.assignment().size() == 3);
        assertEquals(before, back.assignment());
        assertEquals(generation, consumers.get(0).groupMetadata().generationId());
        assertEquals(generation, back.groupMetadata().generationId());
    }

    @Test
    void adminSeesGroupsAndOffsetsSurviveARestart() throws Exception {
        produce(3);
        KafkaConsumer<String, String> c = consumer("admin-group", Map.of());
        c.subscribe(List.of(TOPIC));
        pollUntil(List.of(c), () -> c.assignment().size() == 6);
        c.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(2)));
        Admin admin = admin();
        Collection<GroupListing> groups = admin.listGroups().all().get(30, TimeUnit.SECONDS);
        assertTrue(groups.stream().anyMatch(g -> g.groupId().equals("admin-group")), groups.toString());
        ConsumerGroupDescription described = admin.describeConsumerGroups(List.of("admin-group")).all()
                .get(30, TimeUnit.SECONDS).get("admin-group");
        assertEquals(GroupState.STABLE, described.groupState());
        assertEquals(1, described.members().size());
        assertEquals(6, described.members().iterator().next().assignment().topicPartitions().size());
        c.close();

        broker.close();
        broker = startBroker();
        Admin restarted = admin();
        Map<TopicPartition, OffsetAndMetadata> offsets = null;
        while (offsets == null || offsets.isEmpty()) {
            try {
                offsets = restarted.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            } catch (Exception retriable) {
                Thread.sleep(50);
            }
        }
        assertEquals(2, offsets.get(new TopicPartition(TOPIC, 0)).offset());
        restarted.deleteConsumerGroups(List.of("admin-group")).all().get(30, TimeUnit.SECONDS);
        assertTrue(restarted.listConsumerGroupOffsets("admin-group").partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).isEmpty());
    }

    /** One topic of a Metadata v12 request naming only {@code topic}, sent over a raw connection. */
    private MetadataResponseTopic metadataOf(String topic, boolean allowAutoTopicCreation) throws Exception {
        MetadataRequest request = new MetadataRequest.Builder(new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                .setAllowAutoTopicCreation(allowAutoTopicCreation)).build((short) 12);
        try (Socket socket = new Socket("127.0.0.1", broker.port())) {
            socket.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "metadata-test", 1);
            ByteBuffer bytes = request.serializeWithHeader(header);
            out.writeInt(bytes.remaining());
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            MetadataResponse parsed = (MetadataResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            List<MetadataResponseTopic> topics = new ArrayList<>(parsed.data().topics());
            assertEquals(1, topics.size());
            assertEquals(topic, topics.get(0).name());
            return topics.get(0);
        }
    }

    private static Set<String> topicNames(Admin admin, boolean listInternal) throws Exception {
        return admin.listTopics(new ListTopicsOptions().listInternal(listInternal)).names().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aTopicAutoCreatedByMetadataIsAnsweredWithItsLeaderRatherThanAfterTheClientsBackoff() throws Exception {
        // Kafka answers LEADER_NOT_AVAILABLE and librdkafka asks again a second later; the broker waits
        // (briefly) for the new topic's leader instead, which took first produces from 2 s to 1 s.
        MetadataResponseTopic created = metadataOf("auto-created-at-once", true);
        assertEquals(Errors.NONE.code(), created.errorCode());
        assertEquals(1, created.partitions().size());
        assertEquals(broker.config().brokerId(), created.partitions().get(0).leaderId());
    }

    @Test
    void offsetsTopicIsNotAutoCreatedByAConsumersMetadataRequestAndIsInternal() throws Exception {
        String offsetsTopic = Topic.GROUP_METADATA_TOPIC_NAME;
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), metadataOf(offsetsTopic, true).errorCode(),
                "internal topics are created by the coordinator only");
        // The same request auto-creates an ordinary topic: once that exists, a creation of the offsets topic
        // started by the first request would be visible too.
        while (metadataOf("probe", true).errorCode() != Errors.NONE.code()) {
            Thread.sleep(20);
        }
        Admin admin = admin();
        assertFalse(topicNames(admin, true).contains(offsetsTopic), "not created by the Metadata request");
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), metadataOf(offsetsTopic, true).errorCode());

        // A group is used: its coordinator creates the topic.
        KafkaConsumer<String, String> c = consumer("internal-topic", Map.of());
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        c.assign(List.of(tp));
        c.commitSync(Map.of(tp, new OffsetAndMetadata(1)));
        MetadataResponseTopic described = metadataOf(offsetsTopic, true);
        assertEquals(Errors.NONE.code(), described.errorCode());
        assertTrue(described.isInternal());
        assertEquals(50, described.partitions().size(), "offsets.topic.num.partitions");
        assertFalse(metadataOf(TOPIC, false).isInternal());
        assertFalse(topicNames(admin, false).contains(offsetsTopic), "listTopics() leaves internal topics out");
        assertTrue(topicNames(admin, true).contains(offsetsTopic));
        TopicDescription description = admin.describeTopics(List.of(offsetsTopic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(offsetsTopic);
        assertTrue(description.isInternal());
    }
}
