package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Consumer groups (classic protocol) as users meet them: Kafka's tools (kafka-console-consumer --group,
 * kafka-consumer-groups), librdkafka and kafka-python group consumers mixed with Java ones, a member killed with
 * SIGKILL, and the records of {@code __consumer_offsets} read with Kafka's formatters. One broker is shared by
 * the tests; each test uses its own topic and group.
 */
class ConsumerGroupsCompatTest {

    static final String CONSUMER_GROUPS = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

    @TempDir
    static Path dataDir;
    static SluiceCluster cluster;
    static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        // Kafka's default offsets.topic.replication.factor=3 cannot be met by one broker.
        cluster = SluiceCluster.start(dataDir, Map.of("offsets.topic.replication.factor", "1",
                "group.initial.rebalance.delay.ms", "0"));
        admin = cluster.admin();
    }

    @AfterAll
    static void stopBroker() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String bootstrap() {
        return cluster.bootstrap();
    }

    // ---------------------------------------------------------------- helpers

    /** Produces {@code count} records to each partition, record i of a partition with timestamp {@code timestamps[i]}. */
    static void produce(String topic, int partitions, int count, long[] timestamps) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < count; i++) {
                    Long timestamp = timestamps == null ? null : timestamps[i];
                    producer.send(new ProducerRecord<>(topic, p, timestamp, "k" + i, "p" + p + "-v" + i))
                            .get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    static KafkaTools.Result groups(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrap()));
        all.addAll(Arrays.asList(args));
        return KafkaTools.run(CONSUMER_GROUPS, all.toArray(String[]::new));
    }

    /** The rows of a tool's table (whitespace-separated columns), after its header line starting with {@code header}. */
    static List<List<String>> rows(String output, String header) {
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : output.split("\n")) {
            String stripped = line.strip();
            if (stripped.startsWith(header)) {
                inTable = true;
                continue;
            }
            if (inTable && !stripped.isEmpty()) {
                rows.add(Arrays.asList(stripped.split("\\s+")));
            }
        }
        return rows;
    }

    /** {@code partition -> column} of the rows of {@code topic}, where the partition is column 2 (GROUP TOPIC PARTITION ...). */
    static Map<Integer, String> column(List<List<String>> rows, String topic, int column) {
        Map<Integer, String> byPartition = new HashMap<>();
        for (List<String> row : rows) {
            if (row.size() > column && row.get(1).equals(topic)) {
                byPartition.put(Integer.parseInt(row.get(2)), row.get(column));
            }
        }
        return byPartition;
    }

    /** kafka-consumer-groups --describe --offsets: partition -> [CURRENT-OFFSET, LOG-END-OFFSET, LAG]. */
    static Map<Integer, List<String>> describeOffsets(String group, String topic) {
        KafkaTools.Result described = groups("--describe", "--offsets", "--group", group).assertSuccess("--describe --offsets");
        List<List<String>> rows = rows(described.stdout(), "GROUP");
        Map<Integer, List<String>> byPartition = new HashMap<>();
        for (List<String> row : rows) {
            if (row.get(1).equals(topic)) {
                byPartition.put(Integer.parseInt(row.get(2)), List.of(row.get(3), row.get(4), row.get(5)));
            }
        }
        return byPartition;
    }

    static void assertOffsets(String group, String topic, Map<Integer, List<String>> expected) {
        assertEquals(expected, describeOffsets(group, topic), "CURRENT-OFFSET, LOG-END-OFFSET, LAG of " + group);
    }

    // ---------------------------------------------------------------- 1. Kafka's tools

    @Test
    void consoleConsumerWithGroupConsumesAndCommits() throws Exception {
        String topic = Clients.uniqueTopic("cg-console");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 2);
        produce(topic, 2, 5, null);

        KafkaTools.Result consumed = KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--group", group, "--from-beginning", "--max-messages", "10",
                "--timeout-ms", "60000").assertSuccess("kafka-console-consumer --group");
        List<String> values = consumed.stdout().lines().filter(l -> l.startsWith("p")).sorted().toList();
        List<String> expected = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < 5; i++) {
                expected.add("p" + p + "-v" + i);
            }
        }
        assertEquals(expected.stream().sorted().toList(), values);
        assertTrue(consumed.stderr().contains("Processed a total of 10 messages"), consumed.stderr());

        // The console consumer committed on close: nothing is left to read.
        assertOffsets(group, topic, Map.of(0, List.of("5", "5", "0"), 1, List.of("5", "5", "0")));

        // A second run of the same group reads only what was produced since.
        produce(topic, 1, 1, null);
        KafkaTools.Result again = KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--group", group, "--max-messages", "1", "--timeout-ms", "60000")
                .assertSuccess("kafka-console-consumer --group, second run");
        assertEquals(List.of("p0-v0"), again.stdout().lines().filter(l -> l.startsWith("p")).toList());
        assertOffsets(group, topic, Map.of(0, List.of("6", "6", "0"), 1, List.of("5", "5", "0")));
    }

    @Test
    void consumerGroupsListDescribeMembersAndState() throws Exception {
        String topic = Clients.uniqueTopic("cg-describe");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 3);
        produce(topic, 3, 4, null);

        try (GroupMember member = GroupMember.start(bootstrap(), group, topic,
                Map.of("client.id", "describe-client", "enable.auto.commit", "false")).commitSyncEachPoll()) {
            Clients.waitUntil("the member consumed all 12 records and owns 3 partitions",
                    () -> member.consumed().size() == 12 && member.owned().size() == 3);
            Clients.waitUntil("the committed offsets are at the log end", () -> describeOffsets(group, topic)
                    .equals(Map.of(0, List.of("4", "4", "0"), 1, List.of("4", "4", "0"), 2, List.of("4", "4", "0"))));

            KafkaTools.Result listed = groups("--list").assertSuccess("--list");
            assertTrue(listed.stdout().lines().map(String::strip).anyMatch(group::equals), listed.stdout());

            KafkaTools.Result listedWithState = groups("--list", "--state", "Stable").assertSuccess("--list --state Stable");
            assertTrue(rows(listedWithState.stdout(), "GROUP").stream()
                    .anyMatch(r -> r.get(0).equals(group) && r.get(r.size() - 1).equals("Stable")), listedWithState.stdout());

            // --describe (offsets by default) names the member owning each partition
            KafkaTools.Result described = groups("--describe", "--group", group).assertSuccess("--describe");
            List<List<String>> rows = rows(described.stdout(), "GROUP");
            assertEquals(3, column(rows, topic, 3).size(), described.stdout());
            for (List<String> row : rows) {
                assertTrue(row.get(6).startsWith("describe-client-"), "CONSUMER-ID of " + row);
                assertEquals("describe-client", row.get(8), "CLIENT-ID of " + row);
                assertTrue(row.get(7).contains("127.0.0.1"), "HOST of " + row);
            }

            KafkaTools.Result members = groups("--describe", "--members", "--verbose", "--group", group)
                    .assertSuccess("--describe --members --verbose");
            List<List<String>> memberRows = rows(members.stdout(), "GROUP");
            assertEquals(1, memberRows.size(), members.stdout());
            List<String> row = memberRows.get(0);
            assertTrue(row.get(1).startsWith("describe-client-"), members.stdout());
            assertTrue(row.contains("describe-client"), members.stdout());
            assertTrue(row.contains("3"), "#PARTITIONS 3: " + members.stdout());
            assertTrue(members.stdout().contains(topic + ":0,1,2"), members.stdout());

            KafkaTools.Result state = groups("--describe", "--state", "--group", group).assertSuccess("--describe --state");
            List<String> stateRow = rows(state.stdout(), "GROUP").get(0);
            assertEquals(group, stateRow.get(0));
            assertTrue(stateRow.contains("Stable"), state.stdout());
            assertTrue(stateRow.contains("range"), "the default assignor of kafka-clients 4.x: " + state.stdout());
            assertEquals("1", stateRow.get(stateRow.size() - 1), "#MEMBERS: " + state.stdout());
            assertTrue(stateRow.stream().anyMatch(c -> c.startsWith("127.0.0.1:" + cluster.port())), state.stdout());
        }

        // After the member left: Empty, no members, offsets kept.
        KafkaTools.Result state = groups("--describe", "--state", "--group", group).assertSuccess("--describe --state");
        List<String> stateRow = rows(state.stdout(), "GROUP").get(0);
        assertTrue(stateRow.contains("Empty"), state.stdout());
        assertEquals("0", stateRow.get(stateRow.size() - 1), state.stdout());
        KafkaTools.Result members = groups("--describe", "--members", "--group", group).assertSuccess("--describe --members");
        assertTrue((members.stdout() + members.stderr()).contains("Consumer group '" + group + "' has no active members."),
                members.stdout() + members.stderr());
        assertOffsets(group, topic, Map.of(0, List.of("4", "4", "0"), 1, List.of("4", "4", "0"), 2, List.of("4", "4", "0")));
    }

    @Test
    void consumerGroupsResetOffsets() throws Exception {
        String topic = Clients.uniqueTopic("cg-reset");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 2);
        long now = System.currentTimeMillis();
        // record i of each partition: 60, 50, 40, 30, 20 minutes ago
        long[] timestamps = new long[5];
        for (int i = 0; i < 5; i++) {
            timestamps[i] = now - (60 - 10L * i) * 60_000;
        }
        produce(topic, 2, 5, timestamps);
        KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(), "--topic", topic, "--group", group,
                "--from-beginning", "--max-messages", "10", "--timeout-ms", "60000").assertSuccess("console consumer");
        Map<Integer, List<String>> atEnd = Map.of(0, List.of("5", "5", "0"), 1, List.of("5", "5", "0"));
        assertOffsets(group, topic, atEnd);

        // --dry-run shows the new offsets without committing them
        KafkaTools.Result dryRun = groups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--dry-run")
                .assertSuccess("--reset-offsets --to-earliest --dry-run");
        assertEquals(Map.of(0, "0", 1, "0"), column(rows(dryRun.stdout(), "GROUP"), topic, 3), dryRun.stdout());
        assertOffsets(group, topic, atEnd);

        reset(group, topic, Map.of(0, "0", 1, "0"), "--to-earliest");
        assertOffsets(group, topic, Map.of(0, List.of("0", "5", "5"), 1, List.of("0", "5", "5")));
        reset(group, topic, Map.of(0, "5", 1, "5"), "--to-latest");
        reset(group, topic, Map.of(0, "2", 1, "2"), "--to-offset", "2");
        reset(group, topic, Map.of(0, "3", 1, "3"), "--shift-by", "1");
        reset(group, topic, Map.of(0, "1", 1, "1"), "--shift-by", "-2");
        // one second after record 1: the first record at or after it is record 2
        String datetime = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(timestamps[1] + 1000)) + "Z";
        reset(group, topic, Map.of(0, "2", 1, "2"), "--to-datetime", datetime);
        // 35 minutes ago: record 3 (30 minutes ago) is the first at or after it
        reset(group, topic, Map.of(0, "3", 1, "3"), "--by-duration", "PT35M");
        assertOffsets(group, topic, Map.of(0, List.of("3", "5", "2"), 1, List.of("3", "5", "2")));
        // one partition only
        reset(group, topic + ":1", Map.of(1, "4"), "--to-offset", "4");
        assertOffsets(group, topic, Map.of(0, List.of("3", "5", "2"), 1, List.of("4", "5", "1")));

        // a consumer of the group now starts from the reset offsets
        KafkaTools.Result consumed = KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(),
                "--topic", topic, "--group", group, "--max-messages", "3", "--timeout-ms", "60000")
                .assertSuccess("console consumer after reset");
        assertEquals(List.of("p0-v3", "p0-v4", "p1-v4"), consumed.stdout().lines().filter(l -> l.startsWith("p")).sorted().toList());
    }

    /** --reset-offsets ... --execute, then checks the NEW-OFFSET column. {@code topicArg} may be {@code topic:partitions}. */
    private static void reset(String group, String topicArg, Map<Integer, String> expected, String... how) {
        String topic = topicArg.contains(":") ? topicArg.substring(0, topicArg.indexOf(':')) : topicArg;
        List<String> args = new ArrayList<>(List.of("--reset-offsets", "--group", group, "--topic", topicArg));
        args.addAll(Arrays.asList(how));
        args.add("--execute");
        KafkaTools.Result result = groups(args.toArray(String[]::new)).assertSuccess(String.join(" ", args));
        assertEquals(expected, column(rows(result.stdout(), "GROUP"), topic, 3), result.stdout());
    }

    @Test
    void consumerGroupsDeleteOffsetsAndDelete() throws Exception {
        String topic = Clients.uniqueTopic("cg-delete");
        String other = Clients.uniqueTopic("cg-delete-other");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 2);
        Clients.createTopic(admin, other, 1);
        produce(topic, 2, 3, null);
        produce(other, 1, 3, null);
        KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(), "--include", topic + "|" + other,
                "--group", group, "--from-beginning", "--max-messages", "9", "--timeout-ms", "60000").assertSuccess("console consumer");
        assertOffsets(group, topic, Map.of(0, List.of("3", "3", "0"), 1, List.of("3", "3", "0")));

        // a non-empty group cannot be deleted, and a subscribed topic's offsets cannot be deleted
        try (GroupMember member = GroupMember.start(bootstrap(), group, topic, Map.of())) {
            Clients.waitUntil("the member owns both partitions", () -> member.owned().size() == 2);
            KafkaTools.Result notEmpty = groups("--delete", "--group", group);
            assertTrue((notEmpty.stdout() + notEmpty.stderr()).contains("NON_EMPTY_GROUP")
                    || (notEmpty.stdout() + notEmpty.stderr()).contains("is not empty"), notEmpty.stdout() + notEmpty.stderr());
            KafkaTools.Result subscribed = groups("--delete-offsets", "--group", group, "--topic", topic);
            assertTrue((subscribed.stdout() + subscribed.stderr()).contains("GROUP_SUBSCRIBED_TO_TOPIC")
                    || subscribed.stdout().contains("Error"), subscribed.stdout() + subscribed.stderr());
            // the topic it does not subscribe to can go while it is active
            KafkaTools.Result otherDeleted = groups("--delete-offsets", "--group", group, "--topic", other)
                    .assertSuccess("--delete-offsets of an unsubscribed topic");
            assertTrue(otherDeleted.stdout().contains("Request succeeded for deleting offsets from group " + group),
                    otherDeleted.stdout());
            assertEquals(Map.of(0, "Successful"), column(rows(otherDeleted.stdout(), "TOPIC").stream()
                    .map(r -> List.of("", r.get(0), r.get(1), r.get(2))).toList(), other, 3), otherDeleted.stdout());
        }

        KafkaTools.Result deletedOffsets = groups("--delete-offsets", "--group", group, "--topic", topic + ":0")
                .assertSuccess("--delete-offsets");
        assertTrue(deletedOffsets.stdout().contains("Request succeeded for deleting offsets from group " + group),
                deletedOffsets.stdout());
        Map<Integer, List<String>> left = describeOffsets(group, topic);
        assertEquals(List.of("3", "3", "0"), left.get(1), left.toString());
        assertTrue(left.get(0) == null || left.get(0).get(0).equals("-"), "partition 0's offset is gone: " + left);

        KafkaTools.Result deleted = groups("--delete", "--group", group).assertSuccess("--delete");
        assertTrue(deleted.stdout().contains("Deletion of requested consumer groups ('" + group + "') was successful."),
                deleted.stdout());
        KafkaTools.Result listed = groups("--list").assertSuccess("--list");
        assertFalse(listed.stdout().lines().map(String::strip).anyMatch(group::equals), listed.stdout());
        KafkaTools.Result gone = groups("--describe", "--group", group);
        assertTrue((gone.stdout() + gone.stderr()).contains("GroupIdNotFoundException: Group " + group + " not found."), gone.stdout() + gone.stderr());
    }

    @Test
    void deletingATopicDeletesItsCommittedOffsets() throws Exception {
        String topic = Clients.uniqueTopic("cg-deleted-topic");
        String kept = Clients.uniqueTopic("cg-kept-topic");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 2);
        Clients.createTopic(admin, kept, 1);
        produce(topic, 2, 3, null);
        produce(kept, 1, 3, null);
        KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(), "--include", topic + "|" + kept,
                "--group", group, "--from-beginning", "--max-messages", "9", "--timeout-ms", "60000").assertSuccess("console consumer");
        assertEquals(Map.of(0, 3L, 1, 3L), committedOf(group, topic));

        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        // As Kafka's coordinator (onPartitionsDeleted): the offsets of a deleted topic are tombstoned in every group.
        Clients.waitUntil("the offsets of the deleted topic are gone", () -> committedOf(group, topic).isEmpty());
        assertEquals(Map.of(0, 3L), committedOf(group, kept));
        KafkaTools.Result described = groups("--describe", "--offsets", "--group", group).assertSuccess("--describe");
        assertFalse(described.stdout().contains(topic + " "), described.stdout());
        assertEquals(Map.of(0, "3"), column(rows(described.stdout(), "GROUP"), kept, 3), described.stdout());

        // A topic created again under the same name starts without the old offsets.
        Clients.createTopic(admin, topic, 2);
        assertTrue(committedOf(group, topic).isEmpty());
    }

    static Map<Integer, Long> committedOf(String group, String topic) {
        Map<Integer, Long> offsets = new TreeMap<>();
        try {
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, o) -> {
                        if (tp.topic().equals(topic) && o != null) {
                            offsets.put(tp.partition(), o.offset());
                        }
                    });
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return offsets;
    }

    // ---------------------------------------------------------------- 2. librdkafka and kafka-python members

    /** A group member in a Python process (group_member.py): what it owns and consumed, from its JSON lines. */
    static final class PythonMember implements AutoCloseable {
        final String clientId;
        final ChildProcess process;

        private PythonMember(String clientId, ChildProcess process) {
            this.clientId = clientId;
            this.process = process;
        }

        static PythonMember start(String client, String strategy, String group, String topic, String clientId) {
            return new PythonMember(clientId, ChildProcess.python(clientId, CHILD_HARD_TIMEOUT,
                    PythonScripts.resource("group_member.py"), bootstrap(), topic, group, client, strategy, clientId,
                    String.valueOf(CHILD_HARD_TIMEOUT.toSeconds() - 10)));
        }

        private List<com.fasterxml.jackson.databind.JsonNode> events() {
            List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
            for (String line : process.lines()) {
                try {
                    events.add(PythonScripts.JSON.readTree(line));
                } catch (java.io.IOException e) {
                    throw new AssertionError("not JSON: " + line + "\n" + process.describe(), e);
                }
            }
            return events;
        }

        /** Assigned minus revoked and lost, replaying the callbacks (whole sets if eager, increments if cooperative). */
        Set<Integer> owned() {
            Set<Integer> owned = new TreeSet<>();
            for (var event : events()) {
                String type = event.get("event").asText();
                if (type.equals("assigned") || type.equals("revoked") || type.equals("lost")) {
                    for (var p : event.get("partitions")) {
                        if (type.equals("assigned")) {
                            owned.add(p.asInt());
                        } else {
                            owned.remove(p.asInt());
                        }
                    }
                }
            }
            return owned;
        }

        List<Set<Integer>> revocations() {
            List<Set<Integer>> revocations = new ArrayList<>();
            for (var event : events()) {
                if (event.get("event").asText().equals("revoked")) {
                    Set<Integer> revoked = new TreeSet<>();
                    event.get("partitions").forEach(p -> revoked.add(p.asInt()));
                    revocations.add(revoked);
                }
            }
            return revocations;
        }

        /** {@code partition-offset} of every record it printed. */
        List<String> consumed() {
            List<String> consumed = new ArrayList<>();
            for (var event : events()) {
                if (event.get("event").asText().equals("record")) {
                    consumed.add(event.get("partition").asInt() + "-" + event.get("offset").asLong());
                }
            }
            return consumed;
        }

        void stop() {
            assertEquals(0, process.stop(Duration.ofSeconds(60)), process.describe());
            assertTrue(process.lines().get(process.lines().size() - 1).contains("closed"), process.describe());
        }

        @Override
        public void close() {
            process.close();
        }
    }

    static final Duration CHILD_HARD_TIMEOUT = Duration.ofSeconds(150);

    /** Members seen as {@code name -> owned partitions}. */
    static Map<String, Set<Integer>> ownership(List<GroupMember> javaMembers, List<PythonMember> pythonMembers) {
        Map<String, Set<Integer>> owned = new TreeMap<>();
        for (int i = 0; i < javaMembers.size(); i++) {
            Set<Integer> partitions = new TreeSet<>();
            javaMembers.get(i).owned().forEach(tp -> partitions.add(tp.partition()));
            owned.put("java-" + i, partitions);
        }
        pythonMembers.forEach(m -> owned.put(m.clientId, m.owned()));
        return owned;
    }

    /** Every partition of {@code 0..partitions-1} owned by exactly one member, {@code each} partitions per member. */
    static boolean ownedOnceEach(Map<String, Set<Integer>> owned, int partitions, int each) {
        Set<Integer> union = new TreeSet<>();
        int total = 0;
        for (Set<Integer> set : owned.values()) {
            if (set.size() != each) {
                return false;
            }
            union.addAll(set);
            total += set.size();
        }
        return total == partitions && union.size() == partitions && union.stream().allMatch(p -> p >= 0 && p < partitions);
    }

    static void awaitOwnership(String what, List<GroupMember> javaMembers, List<PythonMember> pythonMembers,
                               int partitions, int each) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!ownedOnceEach(ownership(javaMembers, pythonMembers), partitions, each)) {
            if (System.nanoTime() > deadline) {
                StringBuilder children = new StringBuilder();
                pythonMembers.forEach(m -> children.append(m.process.describe()).append('\n'));
                fail("timed out waiting until " + what + "; ownership " + ownership(javaMembers, pythonMembers) + "\n" + children);
            }
            sleepMs(200);
        }
    }

    /**
     * Produces {@code perPartition} records to each partition and checks that the group consumed each exactly once,
     * each partition's records by the one member that owns it.
     */
    static void assertConsumedOnce(String topic, int partitions, int perPartition, List<GroupMember> javaMembers,
                                   List<PythonMember> pythonMembers, Map<String, Set<Integer>> owned) throws Exception {
        produce(topic, partitions, perPartition, null);
        Map<String, List<String>> consumed = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            consumed.clear();
            for (int i = 0; i < javaMembers.size(); i++) {
                consumed.put("java-" + i, javaMembers.get(i).consumed().stream()
                        .map(r -> r.partition() + "-" + r.offset()).toList());
            }
            pythonMembers.forEach(m -> consumed.put(m.clientId, m.consumed()));
            int total = consumed.values().stream().mapToInt(List::size).sum();
            if (total >= partitions * perPartition || System.nanoTime() > deadline) {
                break;
            }
            sleepMs(200);
        }
        List<String> all = new ArrayList<>();
        consumed.values().forEach(all::addAll);
        List<String> expected = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int o = 0; o < perPartition; o++) {
                expected.add(p + "-" + o);
            }
        }
        assertEquals(expected.stream().sorted().toList(), all.stream().sorted().toList(),
                "every record consumed exactly once by the group; by member: " + consumed);
        consumed.forEach((member, records) -> records.forEach(r -> assertTrue(
                owned.get(member).contains(Integer.parseInt(r.substring(0, r.indexOf('-')))),
                member + " consumed " + r + " but owns " + owned.get(member))));
    }

    @Test
    void librdkafkaKafkaPythonAndJavaMembersShareOneRangeGroup() throws Exception {
        ExternalProcess.requirePythonModule("confluent_kafka", "python3-confluent-kafka");
        ExternalProcess.requirePythonModule("kafka", "python3-kafka");
        String topic = Clients.uniqueTopic("cg-mixed-range");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 6);
        try (GroupMember java = GroupMember.start(bootstrap(), group, topic, Map.of("client.id", "java-member",
                "enable.auto.commit", "false", "partition.assignment.strategy", RangeAssignor.class.getName()))
                .commitSyncEachPoll();
             PythonMember librdkafka = PythonMember.start("confluent", "range", group, topic, "librdkafka-member");
             PythonMember kafkaPython = PythonMember.start("kafka-python", "range", group, topic, "kafka-python-member")) {
            List<GroupMember> javaMembers = List.of(java);
            List<PythonMember> pythonMembers = List.of(librdkafka, kafkaPython);
            awaitOwnership("3 members own 2 partitions each", javaMembers, pythonMembers, 6, 2);
            Map<String, Set<Integer>> owned = ownership(javaMembers, pythonMembers);
            assertConsumedOnce(topic, 6, 20, javaMembers, pythonMembers, owned);
            Clients.waitUntil("the group committed offset 20 of every partition", () -> committed(group).equals(
                    Map.of(0, 20L, 1, 20L, 2, 20L, 3, 20L, 4, 20L, 5, 20L)));
            KafkaTools.Result members = groups("--describe", "--members", "--group", group).assertSuccess("--describe --members");
            for (String clientId : List.of("java-member", "librdkafka-member", "kafka-python-member")) {
                assertTrue(rows(members.stdout(), "GROUP").stream().anyMatch(r -> r.contains(clientId) && r.contains("2")),
                        clientId + " with 2 partitions: " + members.stdout());
            }
            librdkafka.stop();
            kafkaPython.stop();
            // the two that left: the Java member takes every partition, from the committed offsets
            awaitOwnership("the Java member owns all 6 partitions", javaMembers, List.of(), 6, 6);
            assertNull(java.failure());
        }
    }

    @Test
    void librdkafkaAndJavaCooperativeStickyMembersKeepUnmovedPartitions() throws Exception {
        ExternalProcess.requirePythonModule("confluent_kafka", "python3-confluent-kafka");
        String topic = Clients.uniqueTopic("cg-mixed-coop");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 6);
        try (GroupMember java = GroupMember.start(bootstrap(), group, topic, Map.of("client.id", "java-member",
                "enable.auto.commit", "false", "partition.assignment.strategy", CooperativeStickyAssignor.class.getName()))
                .commitSyncEachPoll();
             PythonMember first = PythonMember.start("confluent", "cooperative-sticky", group, topic, "librdkafka-1")) {
            awaitOwnership("2 members own 3 partitions each", List.of(java), List.of(first), 6, 3);
            Map<String, Set<Integer>> before = ownership(List.of(java), List.of(first));
            int javaRevocationsBefore = java.revocations().size();
            int firstRevocationsBefore = first.revocations().size();

            try (PythonMember second = PythonMember.start("confluent", "cooperative-sticky", group, topic, "librdkafka-2")) {
                List<PythonMember> pythonMembers = List.of(first, second);
                awaitOwnership("3 members own 2 partitions each", List.of(java), pythonMembers, 6, 2);
                Map<String, Set<Integer>> after = ownership(List.of(java), pythonMembers);
                // sticky: each earlier member kept 2 of its 3 partitions; cooperative: it revoked only the moved one
                for (String member : List.of("java-0", "librdkafka-1")) {
                    assertTrue(before.get(member).containsAll(after.get(member)), member + ": " + before + " -> " + after);
                }
                Set<Integer> moved = new TreeSet<>(after.get("librdkafka-2"));
                Set<Integer> revoked = new TreeSet<>();
                java.revocations().subList(javaRevocationsBefore, java.revocations().size())
                        .forEach(r -> r.forEach(tp -> revoked.add(tp.partition())));
                first.revocations().subList(firstRevocationsBefore, first.revocations().size()).forEach(revoked::addAll);
                assertEquals(moved, revoked, "only the partitions given to the new member were revoked");

                assertConsumedOnce(topic, 6, 10, List.of(java), pythonMembers, after);
                second.stop();
                first.stop();
            }
            awaitOwnership("the Java member owns all 6 partitions", List.of(java), List.of(), 6, 6);
            assertNull(java.failure());
        }
    }

    static Map<Integer, Long> committed(String group) {
        try {
            Map<Integer, Long> offsets = new TreeMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, o) -> offsets.put(tp.partition(), o.offset()));
            return offsets;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- 3. failures, cooperative rebalances, commits

    @Test
    void killedMemberPartitionsMoveAfterSessionTimeout() throws Exception {
        String topic = Clients.uniqueTopic("cg-kill9");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 4);
        try (ChildProcess child = ChildProcess.java("killed-consumer", CHILD_HARD_TIMEOUT,
                GroupConsumerMain.class.getName(), bootstrap(), group, topic, "killed-consumer")) {
            child.awaitLine("the child owns the 4 partitions", "assigned 0,1,2,3"::equals, Duration.ofSeconds(60));
            try (GroupMember survivor = GroupMember.start(bootstrap(), group, topic, Map.of("client.id", "survivor",
                    "enable.auto.commit", "false", "session.timeout.ms", "6000", "heartbeat.interval.ms", "1000",
                    "partition.assignment.strategy", RangeAssignor.class.getName())).commitSyncEachPoll()) {
                Clients.waitUntil("each member owns 2 partitions", () -> survivor.owned().size() == 2
                        && lastAssignment(child).size() == 2);
                Set<Integer> childPartitions = lastAssignment(child);
                produce(topic, 4, 10, null);
                Clients.waitUntil("both members committed everything", () -> committed(group)
                        .equals(Map.of(0, 10L, 1, 10L, 2, 10L, 3, 10L)));
                int survivorConsumed = survivor.consumed().size();
                assertEquals(20, survivorConsumed);

                child.kill9();
                long killedAt = System.nanoTime();
                Clients.waitUntil("the survivor owns all 4 partitions", () -> survivor.owned().size() == 4);
                long movedAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
                // The coordinator waits for the dead member's session timeout (6 s) before the rebalance.
                assertTrue(movedAfterMs >= 4000, "moved after " + movedAfterMs + " ms, before the session timeout");
                assertTrue(movedAfterMs < 25_000, "moved after " + movedAfterMs + " ms");

                // The survivor resumes the killed member's partitions from its committed offsets.
                produce(topic, 4, 1, null);
                Clients.waitUntil("the survivor consumed the 4 new records", () -> survivor.consumed().size() == survivorConsumed + 4);
                List<String> after = survivor.consumed().subList(survivorConsumed, survivorConsumed + 4).stream()
                        .map(r -> r.partition() + "-" + r.offset()).sorted().toList();
                assertEquals(List.of("0-10", "1-10", "2-10", "3-10"), after,
                        "records after the kill (the killed member's partitions " + childPartitions + " resume at 10)");
                assertNull(survivor.failure());
            }
        }
    }

    /** The partitions of the child's last {@code assigned} line. */
    static Set<Integer> lastAssignment(ChildProcess child) {
        Set<Integer> assigned = new TreeSet<>();
        List<String> lines = child.lines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("assigned ")) {
                String list = lines.get(i).substring("assigned ".length());
                if (!list.isEmpty()) {
                    Arrays.stream(list.split(",")).forEach(p -> assigned.add(Integer.parseInt(p)));
                }
                break;
            }
        }
        return assigned;
    }

    @Test
    void cooperativeStickyRevokesOnlyMovedPartitions() throws Exception {
        String topic = Clients.uniqueTopic("cg-coop");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 6);
        Map<String, String> props = Map.of("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
        try (GroupMember a = GroupMember.start(bootstrap(), group, topic, props);
             GroupMember b = GroupMember.start(bootstrap(), group, topic, props)) {
            awaitOwnership("2 members own 3 partitions each", List.of(a, b), List.of(), 6, 3);
            Set<TopicPartition> aBefore = a.owned();
            Set<TopicPartition> bBefore = b.owned();
            int aRevocations = a.revocations().size();
            int bRevocations = b.revocations().size();
            try (GroupMember c = GroupMember.start(bootstrap(), group, topic, props)) {
                awaitOwnership("3 members own 2 partitions each", List.of(a, b, c), List.of(), 6, 2);
                assertTrue(aBefore.containsAll(a.owned()) && bBefore.containsAll(b.owned()), "sticky");
                Set<TopicPartition> revoked = new java.util.HashSet<>();
                a.revocations().subList(aRevocations, a.revocations().size()).forEach(revoked::addAll);
                b.revocations().subList(bRevocations, b.revocations().size()).forEach(revoked::addAll);
                assertEquals(c.owned(), revoked, "only the partitions moved to the new member were revoked");
                assertTrue(a.lost().isEmpty() && b.lost().isEmpty() && c.lost().isEmpty());
            }
        }
    }

    @Test
    void commitAsyncAndAutoCommitResumeAfterRestart() throws Exception {
        String topic = Clients.uniqueTopic("cg-resume");
        Clients.createTopic(admin, topic, 2);
        produce(topic, 2, 5, null);

        // auto-commit: committed in the background and on close
        String autoGroup = topic + "-auto";
        Map<String, String> auto = Map.of("enable.auto.commit", "true", "auto.commit.interval.ms", "200");
        try (GroupMember first = GroupMember.start(bootstrap(), autoGroup, topic, auto)) {
            Clients.waitUntil("10 records consumed", () -> first.consumed().size() == 10);
            Clients.waitUntil("auto-commit of offset 5 on both partitions", () -> committed(autoGroup).equals(Map.of(0, 5L, 1, 5L)));
        }
        // commitAsync: the callback reports success, and the offsets are those of the group
        String asyncGroup = topic + "-async";
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(GroupMember.props(bootstrap(), asyncGroup,
                Map.of("enable.auto.commit", "false")), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Clients.poll(consumer, 10);
            List<Exception> outcome = new java.util.concurrent.CopyOnWriteArrayList<>();
            boolean[] done = {false};
            consumer.commitAsync((offsets, error) -> {
                if (error != null) {
                    outcome.add(error);
                }
                done[0] = true;
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!done[0] && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            assertTrue(done[0] && outcome.isEmpty(), "commitAsync callback: " + outcome);
        }
        assertEquals(Map.of(0, 5L, 1, 5L), committed(asyncGroup));

        // restarted consumers of both groups read only what came after
        produce(topic, 2, 2, null);
        for (String group : List.of(autoGroup, asyncGroup)) {
            try (GroupMember restarted = GroupMember.start(bootstrap(), group, topic, Map.of("enable.auto.commit", "false"))) {
                Clients.waitUntil(group + " consumed the 4 new records", () -> restarted.consumed().size() >= 4);
                sleepMs(500);
                assertEquals(List.of("0-5", "0-6", "1-5", "1-6"), restarted.consumed().stream()
                        .map(r -> r.partition() + "-" + r.offset()).sorted().toList(), group);
            }
        }
    }

    @Test
    void brokerKilledAndRestartedInTheMiddleOfAGroupsLife(@TempDir Path brokerDir) throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // a fixed port, so that the running consumer finds the restarted broker where it was
        try (BrokerProcess broker = BrokerProcess.start(brokerDir, Map.of("listeners", "PLAINTEXT://127.0.0.1:" + port,
                "offsets.topic.replication.factor", "1", "group.initial.rebalance.delay.ms", "0"));
             Admin brokerAdmin = Admin.create(Clients.adminProps("127.0.0.1:" + port))) {
            String bootstrap = broker.bootstrap();
            String topic = Clients.uniqueTopic("cg-broker-restart");
            String group = topic + "-group";
            Clients.createTopic(brokerAdmin, topic, 2);
            produceTo(bootstrap, topic, 2, 5);
            try (GroupMember member = GroupMember.start(bootstrap, group, topic, Map.of("enable.auto.commit", "false",
                    "session.timeout.ms", "10000")).commitSyncEachPoll()) {
                Clients.waitUntil("10 records consumed", () -> member.consumed().size() == 10);
                Clients.waitUntil("offsets 5 committed", () -> committed(brokerAdmin, group).equals(Map.of(0, 5L, 1, 5L)));

                broker.kill9();
                broker.restart();
                produceTo(bootstrap, topic, 2, 3);
                Clients.waitUntil("the member consumed the 6 records produced after the restart",
                        () -> member.consumed().size() >= 16);
                sleepMs(500);
                List<String> expected = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    for (int o = 0; o < 8; o++) {
                        expected.add(p + "-" + o);
                    }
                }
                assertEquals(expected, member.consumed().stream().map(r -> r.partition() + "-" + r.offset()).sorted().toList(),
                        "every record once, across the broker's restart");
                Clients.waitUntil("offsets 8 committed", () -> committed(brokerAdmin, group).equals(Map.of(0, 8L, 1, 8L)));
                assertNull(member.failure());
            }
            // after a second, clean, restart, a new member of the group resumes from the committed offsets
            broker.stop();   // SIGTERM: the broker's shutdown hook closes it
            broker.restart();
            produceTo(bootstrap, topic, 2, 1);
            try (GroupMember next = GroupMember.start(bootstrap, group, topic, Map.of("enable.auto.commit", "false"))) {
                Clients.waitUntil("the new member consumed 2 records", () -> next.consumed().size() >= 2);
                sleepMs(500);
                assertEquals(List.of("0-8", "1-8"), next.consumed().stream().map(r -> r.partition() + "-" + r.offset())
                        .sorted().toList());
            }
        }
    }

    static void produceTo(String bootstrap, String topic, int partitions, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < count; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    static Map<Integer, Long> committed(Admin admin, String group) {
        try {
            Map<Integer, Long> offsets = new TreeMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, o) -> offsets.put(tp.partition(), o.offset()));
            return offsets;
        } catch (Exception e) {
            return Map.of();
        }
    }

    @Test
    void consumerOffsetsIsInternal() throws Exception {
        String topic = Clients.uniqueTopic("cg-internal");
        Clients.createTopic(admin, topic, 1);
        produce(topic, 1, 1, null);
        KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(), "--topic", topic, "--group",
                topic + "-group", "--from-beginning", "--max-messages", "1", "--timeout-ms", "60000").assertSuccess("console consumer");
        var description = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("__consumer_offsets");
        assertTrue(description.isInternal());
        assertEquals(50, description.partitions().size(), "offsets.topic.num.partitions default");
        assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("__consumer_offsets"),
                "listTopics() leaves internal topics out by default");
        var config = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "__consumer_offsets")))
                .all().get(30, TimeUnit.SECONDS).values().iterator().next();
        assertEquals("compact", config.get("cleanup.policy").value());

        // a pattern subscription leaves it out (exclude.internal.topics=true by default)
        try (GroupMember member = GroupMember.startPattern(bootstrap(), topic + "-pattern", Pattern.compile(".*"))) {
            Clients.waitUntil("the pattern member owns " + topic + "-0",
                    () -> member.owned().contains(new TopicPartition(topic, 0)));
            assertTrue(member.owned().stream().noneMatch(tp -> tp.topic().equals("__consumer_offsets")), member.owned().toString());
        }
        // clients cannot write to it
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap(), Map.of("retries", "0"))) {
            var error = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("__consumer_offsets", 0, "k", "v")).get(30, TimeUnit.SECONDS));
            assertTrue(error.getCause() instanceof org.apache.kafka.common.errors.InvalidTopicException, error.toString());
        }
    }

    // ---------------------------------------------------------------- 4. __consumer_offsets read with Kafka's formatters

    @Test
    void consumerOffsetsRecordsReadableByKafkasFormatters() throws Exception {
        String topic = Clients.uniqueTopic("cg-formatter");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 2);
        produce(topic, 2, 4, null);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(GroupMember.props(bootstrap(), group,
                Map.of("enable.auto.commit", "false", "client.id", "formatter-client")), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Clients.poll(consumer, 8);
            consumer.commitSync(Map.of(new TopicPartition(topic, 0),
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(3, "meta-x")));
        }
        // Read the group's partition of __consumer_offsets with assign() (no group of the tool's own in the log).
        int partition = org.apache.kafka.common.utils.Utils.abs(group.hashCode()) % 50;
        long end = admin.listOffsets(Map.of(new TopicPartition("__consumer_offsets", partition),
                        org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
                .get(new TopicPartition("__consumer_offsets", partition)).offset();

        List<com.fasterxml.jackson.databind.JsonNode> offsets = formatted(
                "org.apache.kafka.tools.consumer.OffsetsMessageFormatter", partition, end);
        List<com.fasterxml.jackson.databind.JsonNode> ours = offsets.stream()
                .filter(r -> r.get("key").get("data").get("group").asText().equals(group)).toList();
        assertEquals(1, ours.size(), "one offset commit of " + group + ": " + offsets);
        var record = ours.get(0);
        assertEquals(1, record.get("key").get("type").asInt(), record.toString());
        assertEquals(topic, record.get("key").get("data").get("topic").asText(), record.toString());
        assertEquals(0, record.get("key").get("data").get("partition").asInt(), record.toString());
        assertEquals(3, record.get("value").get("data").get("offset").asLong(), record.toString());
        assertEquals("meta-x", record.get("value").get("data").get("metadata").asText(), record.toString());
        assertTrue(record.get("value").get("data").get("commitTimestamp").asLong() > 0, record.toString());

        List<com.fasterxml.jackson.databind.JsonNode> metadata = formatted(
                "org.apache.kafka.tools.consumer.GroupMetadataMessageFormatter", partition, end);
        List<com.fasterxml.jackson.databind.JsonNode> ourGroup = metadata.stream()
                .filter(r -> r.get("key").get("data").get("group").asText().equals(group)).toList();
        assertFalse(ourGroup.isEmpty(), "group metadata of " + group + ": " + metadata);
        // while it was a member: generation 1, the consumer's protocol, one member with its client id
        assertTrue(ourGroup.stream().anyMatch(r -> r.get("value").get("data").get("protocolType").asText().equals("consumer")
                && r.get("value").get("data").get("generation").asInt() == 1
                && r.get("value").get("data").get("protocol").asText().equals("range")
                && r.get("value").get("data").get("members").size() == 1
                && r.get("value").get("data").get("members").get(0).get("clientId").asText().equals("formatter-client")),
                ourGroup.toString());
        // after it left: an empty group of generation 2
        var last = ourGroup.get(ourGroup.size() - 1).get("value").get("data");
        assertEquals(2, last.get("generation").asInt(), last.toString());
        assertEquals(0, last.get("members").size(), last.toString());

        // deleting the group writes tombstones, printed with a null value
        groups("--delete", "--group", group).assertSuccess("--delete");
        long afterDelete = admin.listOffsets(Map.of(new TopicPartition("__consumer_offsets", partition),
                        org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
                .get(new TopicPartition("__consumer_offsets", partition)).offset();
        List<com.fasterxml.jackson.databind.JsonNode> tombstones = formatted(
                "org.apache.kafka.tools.consumer.OffsetsMessageFormatter", partition, afterDelete).stream()
                .filter(r -> r.get("key").get("data").get("group").asText().equals(group)).toList();
        assertEquals(2, tombstones.size(), tombstones.toString());
        assertTrue(tombstones.get(1).get("value").isNull(), tombstones.toString());
    }

    /** kafka-console-consumer --formatter on one partition of __consumer_offsets, from the start to {@code end}. */
    static List<com.fasterxml.jackson.databind.JsonNode> formatted(String formatter, int partition, long end) throws Exception {
        KafkaTools.Result result = KafkaTools.run(KafkaTools.CONSOLE_CONSUMER, "--bootstrap-server", bootstrap(),
                "--topic", "__consumer_offsets", "--partition", String.valueOf(partition), "--from-beginning",
                "--max-messages", String.valueOf(end), "--formatter", formatter, "--timeout-ms", "30000")
                .assertSuccess("kafka-console-consumer --formatter " + formatter);
        assertTrue(result.stderr().contains("Processed a total of " + end + " messages"), result.stderr());
        List<com.fasterxml.jackson.databind.JsonNode> records = new ArrayList<>();
        try (var values = PythonScripts.JSON.readerFor(com.fasterxml.jackson.databind.JsonNode.class)
                .<com.fasterxml.jackson.databind.JsonNode>readValues(result.stdout())) {
            values.forEachRemaining(records::add);
        }
        return records;
    }

    // ---------------------------------------------------------------- 5. VerifiableProducer, VerifiableConsumer

    @Test
    void verifiableConsumerConsumesEverythingVerifiableProducerAcknowledged() throws Exception {
        String topic = Clients.uniqueTopic("cg-verifiable");
        String group = topic + "-group";
        Clients.createTopic(admin, topic, 3);
        int count = 600;
        // In their own JVMs: VerifiableProducer flushes and prints its last acknowledgements in a JVM shutdown hook.
        ExternalProcess.Result produced = ExternalProcess.run(ChildProcess.javaCommand("org.apache.kafka.tools.VerifiableProducer",
                "--bootstrap-server", bootstrap(), "--topic", topic, "--max-messages", String.valueOf(count), "--acks", "-1",
                "--throughput", "-1"), null, Duration.ofSeconds(90)).assertSuccess("VerifiableProducer");
        Map<Integer, TreeSet<Long>> acked = new TreeMap<>();
        for (var event : jsonLines(produced.stdout())) {
            if (event.get("name").asText().equals("producer_send_success")) {
                acked.computeIfAbsent(event.get("partition").asInt(), p -> new TreeSet<>()).add(event.get("offset").asLong());
            }
        }
        assertEquals(count, acked.values().stream().mapToInt(Set::size).sum(), produced.stdout());

        ExternalProcess.Result consumed = ExternalProcess.run(ChildProcess.javaCommand("org.apache.kafka.tools.VerifiableConsumer",
                "--bootstrap-server", bootstrap(), "--topic", topic, "--group-id", group, "--max-messages",
                String.valueOf(count), "--reset-policy", "earliest", "--session-timeout", "10000"), null,
                Duration.ofSeconds(90)).assertSuccess("VerifiableConsumer");
        Map<Integer, Long> nextExpected = new TreeMap<>();
        Map<Integer, Long> lastCommitted = new TreeMap<>();
        boolean shutdown = false;
        for (var event : jsonLines(consumed.stdout())) {
            switch (event.get("name").asText()) {
                case "records_consumed" -> {
                    for (var p : event.get("partitions")) {
                        int partition = p.get("partition").asInt();
                        long min = p.get("minOffset").asLong();
                        long max = p.get("maxOffset").asLong();
                        // no gap and no record read twice: each batch starts where the previous one ended
                        assertEquals(nextExpected.getOrDefault(partition, 0L), min, "partition " + partition + ": " + event);
                        assertEquals(max - min + 1, p.get("count").asLong(), event.toString());
                        nextExpected.put(partition, max + 1);
                    }
                }
                case "offsets_committed" -> {
                    assertTrue(event.get("success").asBoolean(), event.toString());
                    for (var o : event.get("offsets")) {
                        lastCommitted.put(o.get("partition").asInt(), o.get("offset").asLong());
                    }
                }
                case "shutdown_complete" -> shutdown = true;
                default -> {
                }
            }
        }
        assertTrue(shutdown, consumed.stdout());
        Map<Integer, Long> ackedEnds = new TreeMap<>();
        acked.forEach((partition, offsets) -> {
            assertEquals(offsets.last() - offsets.first() + 1, offsets.size(), "acknowledged offsets of " + partition);
            ackedEnds.put(partition, offsets.last() + 1);
        });
        assertEquals(ackedEnds, nextExpected, "consumed up to the last acknowledged offset of each partition");
        assertEquals(ackedEnds, lastCommitted, "committed offsets");
        assertEquals(ackedEnds, committed(group));
    }

    static List<com.fasterxml.jackson.databind.JsonNode> jsonLines(String output) throws java.io.IOException {
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                events.add(PythonScripts.JSON.readTree(line));
            }
        }
        return events;
    }

    static long parseLong(String text, Pattern pattern) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            fail("no " + pattern + " in\n" + text);
        }
        return Long.parseLong(m.group(1));
    }

    static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            all.add(new TopicPartition(topic, p));
        }
        return all;
    }
}
