package io.sluice.compat;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three brokers in separate JVMs ({@link ClusterProcesses}) driven through a leader change by the clients that are not
 * Java and by Kafka's tools, as their users would run them against a cluster:
 * <ul>
 *   <li>librdkafka (python3-confluent-kafka): an idempotent acks=all producer keeps producing while the leader of
 *       partition 0 is killed with SIGKILL and restarted; every record it was told is delivered is read back once, in
 *       order. kcat lists the three brokers and the leaders, and reads the topic after the leader change.</li>
 *   <li>kafka-python (python3-kafka): an acks=all producer with retries through the same kill; every acknowledged
 *       record is read back (kafka-python has no idempotence, so a retried record may be there twice).</li>
 *   <li>{@code kafka-topics --describe}: Leader, Replicas and Isr per partition; with a broker killed and its session
 *       expired, {@code --under-replicated-partitions} and {@code --unavailable-partitions} list the partitions it
 *       took with it, and nothing once it is back and caught up.</li>
 * </ul>
 *
 * <p>The tests share one cluster; each starts with the three brokers registered. A missing client package fails the
 * test naming it ({@code bin/install-test-deps.sh} installs them). The ZooKeeper session timeout is 6 s and
 * {@code replica.lag.time.max.ms} 4 s, as in {@link ReplicationFailoverTest}. No scenario has two of three brokers
 * down at once, so each is valid for three KRaft nodes of Apache Kafka ({@code -Dcompat.broker=kafka}) too.
 */
class ClusterClientsTest {

    private static final Map<String, String> FAST_FAILURE_DETECTION = Map.of(
            "zookeeper.session.timeout.ms", "6000",
            "replica.lag.time.max.ms", "4000");
    private static final Set<Integer> ALL_BROKERS = Set.of(0, 1, 2);
    private static final int PARTITIONS = 3;
    /** Long enough for a killed broker's session to expire, a new leader to be elected and the restart to register. */
    private static final Duration FAILOVER = Duration.ofSeconds(60);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);
    private static final String SCRIPT = "failover_client.py";
    /** A line of {@code kafka-topics --describe} for one partition, as TopicCommand prints it (tab separated). */
    private static final Pattern PARTITION_LINE = Pattern.compile(
            "Topic: (\\S+)\tPartition: (\\d+)\tLeader: (\\S+)\tReplicas: ([\\d,]*)\tIsr: ([\\d,]*)");

    /** Topic, then partition: kafka-topics prints each topic's partitions in order, the topics in no set order. */
    private static final Comparator<TopicPartition> BY_TOPIC_AND_PARTITION =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private static ClusterProcesses cluster;

    /** A delivery report of the Python producer, or a record read back (by a Python consumer or kcat). */
    private record Delivered(int partition, long offset, String value) {
    }

    /** One partition line of {@code kafka-topics --describe}; {@code leader} is {@code none} when it has none. */
    private record PartitionLine(String topic, int partition, String leader, List<Integer> replicas, List<Integer> isr) {

        TopicPartition topicPartition() {
            return new TopicPartition(topic, partition);
        }
    }

    @BeforeAll
    static void startCluster(@TempDir Path dir) throws Exception {
        cluster = ClusterProcesses.start(dir, ALL_BROKERS.size(), FAST_FAILURE_DETECTION);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A test that killed a broker restarted it; every test starts from the whole cluster. */
    @BeforeEach
    void allBrokersRegistered() {
        cluster.awaitBrokersRegistered(ALL_BROKERS);
    }

    @Test
    void librdkafkaIdempotentProducerThroughALeaderKillLosesAndDuplicatesNothingAndKcatFollowsTheNewLeader()
            throws Exception {
        ExternalProcess.requirePythonModule("confluent_kafka", "python3-confluent-kafka");
        ExternalProcess.requireProgram("kcat", "kcat");
        String topic = replicatedTopic("librdkafka-failover");
        assertKcatListsTheBrokersAndLeaders(topic);

        List<JsonNode> events;
        int victim;
        try (ChildProcess producer = ChildProcess.python("confluent-producer", Duration.ofMinutes(5),
                PythonScripts.resource(SCRIPT), "confluent", "produce", cluster.bootstrap(), topic,
                Integer.toString(PARTITIONS))) {
            victim = bounceTheLeaderOfPartition0(topic, producer);
            events = stopProducer(producer);
        }
        assertEquals(List.of(), eventsOf(events, "failed"), "failed delivery reports");
        assertEquals(List.of(), eventsOf(events, "error").stream().filter(e -> e.get("fatal").asBoolean()).toList(),
                "fatal errors of the idempotent producer");
        assertEquals(0, eventsOf(events, "closed").get(0).get("undelivered").asInt(), "records left undelivered");

        List<Delivered> acked = deliveries(events);
        List<Delivered> consumed = readWith("confluent", topic);
        List<String> values = consumed.stream().map(Delivered::value).toList();
        assertEquals(values.size(), new HashSet<>(values).size(), "a record was stored twice");
        for (int p = 0; p < PARTITIONS; p++) {
            // the idempotent producer keeps each partition's records in the order it sent them
            assertEquals(acked.stream().filter(inPartition(p)).toList(),
                    consumed.stream().filter(inPartition(p)).filter(new HashSet<>(acked)::contains).toList(),
                    "acknowledged records of partition " + p + " (partition, offset, value) lost or out of order");
        }

        // kcat, after the leader change: the cluster and the leaders as they are now, and every record
        assertKcatListsTheBrokersAndLeaders(topic);
        List<Delivered> readByKcat = kcatConsume(topic);
        assertEquals(sorted(consumed), sorted(readByKcat), "kcat -C read other records than the confluent consumer");
        System.out.printf("ClusterClientsTest: librdkafka through the kill of broker %d: %d acknowledged, %d stored,"
                + " 0 lost, 0 duplicates, kcat read %d%n", victim, acked.size(), consumed.size(), readByKcat.size());
    }

    @Test
    void kafkaPythonProducerWithRetriesThroughALeaderKillLosesNoAcknowledgedRecord() throws Exception {
        ExternalProcess.requirePythonModule("kafka", "python3-kafka");
        String topic = replicatedTopic("kafka-python-failover");

        List<JsonNode> events;
        int victim;
        try (ChildProcess producer = ChildProcess.python("kafka-python-producer", Duration.ofMinutes(5),
                PythonScripts.resource(SCRIPT), "kafka-python", "produce", cluster.bootstrap(), topic,
                Integer.toString(PARTITIONS))) {
            victim = bounceTheLeaderOfPartition0(topic, producer);
            events = stopProducer(producer);
        }
        assertEquals(List.of(), eventsOf(events, "failed"), "sends failed despite retries");

        List<Delivered> acked = deliveries(events);
        List<Delivered> consumed = readWith("kafka-python", topic);
        // kafka-python has no idempotent producer: a batch the old leader wrote and replicated but never answered
        // is sent again to the new leader and stored twice. Duplicates are allowed here; losses are not.
        Set<Delivered> present = new HashSet<>(consumed);
        List<Delivered> lost = acked.stream().filter(d -> !present.contains(d)).toList();
        assertEquals(List.of(), lost, "acknowledged records (partition, offset, value) not read back");
        long duplicates = consumed.size() - consumed.stream().map(Delivered::value).distinct().count();
        System.out.printf("ClusterClientsTest: kafka-python through the kill of broker %d: %d acknowledged, %d stored,"
                + " 0 lost, %d duplicates%n", victim, acked.size(), consumed.size(), duplicates);
    }

    /**
     * Broker 2 carries every partition of a topic of replication factor 3, two of three of a topic of replication
     * factor 2 ({@code --replica-assignment 0:1,1:2,2:0}) and the only replica of a topic of replication factor 1.
     * Killed, once its session expired: under-replicated are exactly the partitions whose ISR lost it, unavailable
     * is the partition it alone held. Restarted and caught up: neither report lists anything, in the whole cluster.
     */
    @Test
    void kafkaTopicsDescribeReportsThePartitionsAKilledBrokerTookWithIt() throws Exception {
        int victim = 2;
        String stem = Clients.uniqueTopic("described");
        String rf3 = stem + "-rf3";
        String rf2 = stem + "-rf2";
        String rf1 = stem + "-rf1";
        String ours = stem + "-rf.*";
        topics("--create", "--topic", rf3, "--partitions", "3", "--replication-factor", "3");
        topics("--create", "--topic", rf2, "--replica-assignment", "0:1,1:2,2:0");
        topics("--create", "--topic", rf1, "--replica-assignment", Integer.toString(victim));
        Clients.waitUntil("every partition has a leader and its whole ISR",
                () -> allInSync(List.of(rf3, rf2, rf1)));

        String rf3Described = describe(rf3);
        assertTrue(rf3Described.contains("Topic: " + rf3 + "\tTopicId: "), rf3Described);
        assertTrue(rf3Described.contains("\tPartitionCount: 3\tReplicationFactor: 3\t"), rf3Described);
        List<PartitionLine> rf3Lines = partitionLines(rf3Described);
        assertEquals(List.of(0, 1, 2), rf3Lines.stream().map(PartitionLine::partition).toList(), rf3Described);
        for (PartitionLine line : rf3Lines) {
            assertEquals(ALL_BROKERS, Set.copyOf(line.replicas()), "a replica on each broker: " + line);
            assertEquals(line.replicas(), line.isr(), "a new partition's ISR is its replicas: " + line);
            assertEquals(Integer.toString(line.replicas().get(0)), line.leader(), "the preferred replica leads: " + line);
        }
        assertEquals(ALL_BROKERS, rf3Lines.stream().map(l -> Integer.parseInt(l.leader())).collect(Collectors.toSet()),
                "the leaders of " + rf3 + " are spread over the brokers");
        String rf2Described = describe(rf2);
        assertEquals(List.of(
                        new PartitionLine(rf2, 0, "0", List.of(0, 1), List.of(0, 1)),
                        new PartitionLine(rf2, 1, "1", List.of(1, 2), List.of(1, 2)),
                        new PartitionLine(rf2, 2, "2", List.of(2, 0), List.of(2, 0))),
                partitionLines(rf2Described), rf2Described);
        String rf1Described = describe(rf1);
        assertEquals(List.of(new PartitionLine(rf1, 0, "2", List.of(2), List.of(2))), partitionLines(rf1Described),
                rf1Described);
        assertEquals("", topics("--describe", "--topic", ours, "--under-replicated-partitions").stdout());
        assertEquals("", topics("--describe", "--topic", ours, "--unavailable-partitions").stdout());

        Map<TopicPartition, List<Integer>> replicasBefore = new HashMap<>();
        Stream.of(rf3Lines, partitionLines(rf2Described)).flatMap(List::stream)
                .forEach(line -> replicasBefore.put(line.topicPartition(), line.replicas()));

        cluster.kill(victim);
        try {
            cluster.awaitBrokersRegistered(Set.of(0, 1));
            Set<TopicPartition> lostFromIsr = new TreeSet<>(BY_TOPIC_AND_PARTITION);
            lostFromIsr.addAll(List.of(new TopicPartition(rf3, 0), new TopicPartition(rf3, 1),
                    new TopicPartition(rf3, 2), new TopicPartition(rf2, 1), new TopicPartition(rf2, 2)));
            Clients.waitUntil("kafka-topics --under-replicated-partitions lists the partitions of broker " + victim,
                    FAILOVER, () -> underReplicated(ours).stream().map(PartitionLine::topicPartition)
                            .collect(Collectors.toSet()).containsAll(lostFromIsr));

            KafkaTools.Result unavailable = topics("--describe", "--topic", ours, "--unavailable-partitions");
            List<PartitionLine> unavailableLines = partitionLines(unavailable.stdout());
            assertEquals(List.of(new TopicPartition(rf1, 0)),
                    unavailableLines.stream().map(PartitionLine::topicPartition).toList(), unavailable.stdout());
            PartitionLine alone = unavailableLines.get(0);
            assertEquals("none", alone.leader(), unavailable.stdout());
            assertEquals(List.of(victim), alone.replicas(), unavailable.stdout());
            // The partition's only replica either stays its last ISR member (Kafka's ZooKeeper-mode controller, and
            // KRaft before KIP-966) or leaves the ISR for the ELR (Kafka 4.x KRaft, "Isr: \tElr: 2"): then its ISR
            // lost the broker too, and it is under-replicated as well.
            assertTrue(alone.isr().equals(List.of(victim)) || alone.isr().isEmpty(), unavailable.stdout());
            if (alone.isr().isEmpty()) {
                lostFromIsr.add(alone.topicPartition());
            }

            List<PartitionLine> underReplicated = underReplicated(ours);
            assertEquals(List.copyOf(lostFromIsr), underReplicated.stream().map(PartitionLine::topicPartition)
                            .sorted(BY_TOPIC_AND_PARTITION).toList(),
                    "under-replicated partitions with broker " + victim + " down:\n" + underReplicated);
            for (PartitionLine line : underReplicated) {
                if (line.topic().equals(rf1)) {
                    continue;
                }
                List<Integer> survivors = line.replicas().stream().filter(id -> id != victim).toList();
                assertEquals(replicasBefore.get(line.topicPartition()), line.replicas(),
                        "replicas stay assigned: " + line);
                assertEquals(Set.copyOf(survivors), Set.copyOf(line.isr()),
                        "the ISR without broker " + victim + ": " + line);
                assertTrue(!line.leader().equals("none") && survivors.contains(Integer.parseInt(line.leader())),
                        "a surviving replica leads: " + line);
            }
        } finally {
            cluster.restart(victim);
        }
        Clients.waitUntil("broker " + victim + " caught up: every partition of the cluster has its whole ISR", FAILOVER,
                () -> allInSync(allTopics()));
        assertEquals("", topics("--describe", "--under-replicated-partitions").stdout(),
                "under-replicated partitions after broker " + victim + " caught up");
        assertEquals("", topics("--describe", "--unavailable-partitions").stdout(),
                "unavailable partitions after broker " + victim + " is back");
        String rf1Back = describe(rf1);
        assertEquals(List.of(new PartitionLine(rf1, 0, "2", List.of(2), List.of(2))), partitionLines(rf1Back), rf1Back);
    }

    /** A topic of three partitions, replication factor 3, {@code min.insync.replicas=2}, every replica in sync. */
    private static String replicatedTopic(String prefix) throws Exception {
        String topic = Clients.uniqueTopic(prefix);
        Clients.createTopic(cluster.admin(), topic, PARTITIONS, (short) 3, Map.of("min.insync.replicas", "2"));
        Clients.waitUntil("every replica of " + topic + " is in sync", () -> allInSync(List.of(topic)));
        return topic;
    }

    /**
     * Under {@code producer}: SIGKILL for the leader of partition 0 once records are acknowledged, then waits until
     * another broker leads it and acknowledges, restarts the killed broker, waits until it is back in every ISR of
     * the topic and records are acknowledged again. Returns the killed broker.
     */
    private static int bounceTheLeaderOfPartition0(String topic, ChildProcess producer) throws Exception {
        TopicPartition p0 = new TopicPartition(topic, 0);
        Clients.waitUntil("the producer's records to " + p0 + " are acknowledged", () -> acked(producer, 0) > 50);
        int victim = cluster.leader(p0);
        cluster.kill(victim);
        try {
            Clients.waitUntil("another broker leads " + p0, FAILOVER, () -> {
                int now = leaderOrNone(p0);
                return now >= 0 && now != victim;
            });
            int ackedAtFailover = acked(producer, 0);
            Clients.waitUntil("the new leader of " + p0 + " acknowledges", FAILOVER,
                    () -> acked(producer, 0) > ackedAtFailover);
        } finally {
            cluster.restart(victim);
        }
        Clients.waitUntil("broker " + victim + " is back in every ISR of " + topic, FAILOVER,
                () -> allInSync(List.of(topic)));
        int ackedAtRestart = acked(producer, 0);
        Clients.waitUntil("records to " + p0 + " are acknowledged after the restart", FAILOVER,
                () -> acked(producer, 0) > ackedAtRestart);
        return victim;
    }

    /** How many records to {@code partition} the producer was told are delivered; fails if it died. */
    private static int acked(ChildProcess producer, int partition) {
        if (!producer.isAlive()) {
            fail("the producer exited: " + producer.describe());
        }
        return (int) deliveries(events(producer.lines())).stream().filter(inPartition(partition)).count();
    }

    /** Closes the producer's stdin, its stop signal, and returns every event it printed once it flushed and exited. */
    private static List<JsonNode> stopProducer(ChildProcess producer) {
        assertEquals(0, producer.stop(Duration.ofSeconds(150)), producer.describe());
        List<JsonNode> events = events(producer.lines());
        assertEquals(1, eventsOf(events, "closed").size(), producer.describe());
        return events;
    }

    private static List<JsonNode> events(List<String> lines) {
        List<JsonNode> events = new ArrayList<>(lines.size());
        for (String line : lines) {
            try {
                events.add(PythonScripts.JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("not a JSON event: " + line, e);
            }
        }
        return events;
    }

    private static List<JsonNode> eventsOf(List<JsonNode> events, String event) {
        return events.stream().filter(e -> e.get("event").asText().equals(event)).toList();
    }

    private static List<Delivered> deliveries(List<JsonNode> events) {
        return eventsOf(events, "acked").stream().map(e -> new Delivered(e.get("partition").asInt(),
                e.get("offset").asLong(), e.get("value").asText())).toList();
    }

    private static Predicate<Delivered> inPartition(int partition) {
        return d -> d.partition() == partition;
    }

    private static List<Delivered> sorted(Collection<Delivered> records) {
        return records.stream().sorted(Comparator.comparingInt(Delivered::partition)
                .thenComparingLong(Delivered::offset)).toList();
    }

    /** Every record of {@code topic}, read by {@code client}'s consumer from the beginning to the end offsets. */
    private static List<Delivered> readWith(String client, String topic) throws IOException {
        ExternalProcess.Result result = ExternalProcess.python(PythonScripts.resource(SCRIPT), CLIENT_TIMEOUT,
                client, "consume", cluster.bootstrap(), topic, Integer.toString(PARTITIONS))
                .assertSuccess(SCRIPT + " " + client + " consume");
        String lastLine = result.stdout().strip().lines().reduce((a, b) -> b).orElse("");
        List<Delivered> records = new ArrayList<>();
        for (JsonNode record : PythonScripts.JSON.readTree(lastLine).get("records")) {
            records.add(new Delivered(record.get(0).asInt(), record.get(1).asLong(), record.get(2).asText()));
        }
        return records;
    }

    private static List<String> kcat(String... args) {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", cluster.bootstrap()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * {@code kcat -L}: the three brokers at their addresses and, for each partition of {@code topic}, the leader,
     * replicas and ISR the cluster has now (waiting until the broker kcat asks knows the three brokers again).
     */
    private static void assertKcatListsTheBrokersAndLeaders(String topic) throws Exception {
        Clients.waitUntil("kcat -L lists " + ALL_BROKERS.size() + " brokers",
                () -> kcatMetadata(topic).get("brokers").size() == ALL_BROKERS.size());
        JsonNode metadata = kcatMetadata(topic);
        Map<Integer, String> brokers = new TreeMap<>();
        metadata.get("brokers").forEach(b -> brokers.put(b.get("id").asInt(), b.get("name").asText()));
        Map<Integer, String> expected = new TreeMap<>();
        ALL_BROKERS.forEach(id -> expected.put(id, cluster.broker(id).bootstrap()));
        assertEquals(expected, brokers, metadata.toString());
        JsonNode partitions = metadata.get("topics").get(0).get("partitions");
        assertEquals(PARTITIONS, partitions.size(), metadata.toString());
        for (JsonNode partition : partitions) {
            TopicPartition tp = new TopicPartition(topic, partition.get("partition").asInt());
            assertEquals(cluster.leader(tp), partition.get("leader").asInt(), "leader of " + tp + ": " + metadata);
            assertEquals(ALL_BROKERS, ids(partition.get("replicas")), "replicas of " + tp + ": " + metadata);
            assertEquals(Set.copyOf(cluster.isr(tp)), ids(partition.get("isrs")), "ISR of " + tp + ": " + metadata);
        }
        String text = ExternalProcess.run(kcat("-L", "-t", topic), null, CLIENT_TIMEOUT).assertSuccess("kcat -L").stdout();
        assertTrue(text.contains(" 3 brokers:"), text);
        assertTrue(text.contains("topic \"" + topic + "\" with 3 partitions:"), text);
    }

    private static JsonNode kcatMetadata(String topic) {
        String json = ExternalProcess.run(kcat("-L", "-J", "-t", topic), null, CLIENT_TIMEOUT)
                .assertSuccess("kcat -L -J").stdout();
        try {
            return PythonScripts.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("kcat -L -J printed no JSON: " + json, e);
        }
    }

    private static Set<Integer> ids(JsonNode brokers) {
        Set<Integer> ids = new HashSet<>();
        brokers.forEach(b -> ids.add(b.get("id").asInt()));
        return ids;
    }

    /** {@code kcat -C -o beginning -e}: every partition of {@code topic} from its start to its end, then exits. */
    private static List<Delivered> kcatConsume(String topic) {
        ExternalProcess.Result result = ExternalProcess.run(kcat("-C", "-t", topic, "-o", "beginning", "-e", "-q",
                "-f", "%p %o %s\\n"), null, CLIENT_TIMEOUT).assertSuccess("kcat -C");
        return result.stdout().lines().filter(l -> !l.isBlank()).map(line -> {
            String[] fields = line.split(" ", 3);
            return new Delivered(Integer.parseInt(fields[0]), Long.parseLong(fields[1]), fields[2]);
        }).toList();
    }

    private static KafkaTools.Result topics(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrap()));
        command.addAll(List.of(args));
        return KafkaTools.run(KafkaTools.TOPICS, command.toArray(String[]::new)).assertSuccess("kafka-topics " + args[0]);
    }

    private static String describe(String topic) {
        return topics("--describe", "--topic", topic).stdout();
    }

    private static List<PartitionLine> underReplicated(String topicRegex) {
        return partitionLines(topics("--describe", "--topic", topicRegex, "--under-replicated-partitions").stdout());
    }

    private static List<PartitionLine> partitionLines(String output) {
        List<PartitionLine> lines = new ArrayList<>();
        Matcher matcher = PARTITION_LINE.matcher(output);
        while (matcher.find()) {
            lines.add(new PartitionLine(matcher.group(1), Integer.parseInt(matcher.group(2)), matcher.group(3),
                    brokerList(matcher.group(4)), brokerList(matcher.group(5))));
        }
        return lines;
    }

    private static List<Integer> brokerList(String commaSeparated) {
        return commaSeparated.isEmpty() ? List.of()
                : Arrays.stream(commaSeparated.split(",")).map(Integer::parseInt).toList();
    }

    /** Every topic of the cluster, the internal ones too. */
    private static List<String> allTopics() {
        try {
            return List.copyOf(cluster.admin().listTopics(new ListTopicsOptions().listInternal(true)).names()
                    .get(Clients.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception notNow) {
            return List.of();
        }
    }

    /** Whether every partition of {@code topics} has a leader and every replica in its ISR (false if none answered). */
    private static boolean allInSync(List<String> topics) {
        if (topics.isEmpty()) {
            return false;
        }
        try {
            Collection<TopicDescription> descriptions = cluster.admin().describeTopics(topics).allTopicNames()
                    .get(Clients.DEADLINE.toMillis(), TimeUnit.MILLISECONDS).values();
            for (TopicDescription description : descriptions) {
                for (TopicPartitionInfo partition : description.partitions()) {
                    if (partition.leader() == null || partition.leader().isEmpty()
                            || !Set.copyOf(partition.isr()).equals(Set.copyOf(partition.replicas()))) {
                        return false;
                    }
                }
            }
            return true;
        } catch (Exception notNow) {
            return false;
        }
    }

    private static int leaderOrNone(TopicPartition tp) {
        try {
            return cluster.leader(tp);
        } catch (Exception notNow) {
            return Node.noNode().id();
        }
    }
}
