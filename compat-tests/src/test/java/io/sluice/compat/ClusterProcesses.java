package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A cluster of brokers in separate JVMs on 127.0.0.1, for tests of what happens between brokers: N Sluice brokers
 * ({@link BrokerProcess}, {@code broker.id} 0..N-1) sharing one standalone ZooKeeper ({@link ZooKeeperProcess}),
 * each with its own data directory under the test's directory. A test can kill (SIGKILL), stop (SIGTERM), restart,
 * suspend (SIGSTOP) and resume (SIGCONT) any broker, and read the leader and ISR of a partition as clients see
 * them.
 *
 * <p>Every broker's listener port is picked free once at start and kept, so a restarted broker comes back at the
 * address the other brokers and the clients already know, as a real broker does. Each broker gets
 * {@code zookeeper.connect}, {@code offsets.topic.replication.factor=min(3, N)} and then the test's overrides,
 * which win; Kafka's defaults otherwise (among them {@code zookeeper.session.timeout.ms=18000}, which bounds how
 * long a killed broker stays registered). Until followers fetch, a partition with followers in its ISR keeps its
 * high watermark, and so the group coordinator's acks=all writes to {@code __consumer_offsets} wait: a test of
 * consumer groups passes {@code offsets.topic.replication.factor=1} for now.
 *
 * <p>With {@code -Dcompat.broker=kafka} the same calls drive an Apache Kafka 4.3 cluster instead, to check that a
 * scenario expects what Kafka does: N KRaft nodes ({@code kafka.Kafka}, {@code process.roles=broker,controller}
 * on each, a static {@code controller.quorum.voters} of all of them, log dirs formatted with one cluster id) and
 * no ZooKeeper.
 *
 * <p>Directory layout: {@code zookeeper/}, and per broker {@code broker-<id>/} ({@code kafka-<id>/} for Kafka) with
 * its {@code server.properties}, its log dirs and its output ({@code broker-<start>.log}).
 *
 * <p>Not thread-safe: a test drives it from its own thread.
 */
public final class ClusterProcesses implements AutoCloseable {

    /** Kafka's default {@code zookeeper.session.timeout.ms}. */
    private static final int DEFAULT_SESSION_TIMEOUT_MS = 18_000;
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Path dir;
    private final boolean apacheKafka;
    private final Duration sessionTimeout;
    private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
    private final Set<Integer> suspended = new HashSet<>();
    private ZooKeeperProcess zookeeper;
    private Admin admin;

    private ClusterProcesses(Path dir, Map<String, String> overrides) {
        this.dir = dir;
        this.apacheKafka = SluiceCluster.againstApacheKafka();
        this.sessionTimeout = Duration.ofMillis(Integer.parseInt(
                overrides.getOrDefault("zookeeper.session.timeout.ms", Integer.toString(DEFAULT_SESSION_TIMEOUT_MS))));
    }

    /**
     * Starts ZooKeeper and {@code brokerCount} brokers side by side and returns once each printed its ready line
     * (a Sluice broker prints it after registering in ZooKeeper). {@code overrides} go to every broker.
     */
    public static ClusterProcesses start(Path dir, int brokerCount, Map<String, String> overrides) throws Exception {
        if (brokerCount < 1) {
            throw new IllegalArgumentException("a cluster has at least one broker, asked for " + brokerCount);
        }
        ClusterProcesses cluster = new ClusterProcesses(dir, overrides);
        try {
            Files.createDirectories(dir);
            // a Kafka node needs a controller port besides its broker port
            List<Integer> ports = freePorts(cluster.apacheKafka ? 2 * brokerCount : brokerCount);
            if (cluster.apacheKafka) {
                cluster.spawnApacheKafka(brokerCount, ports, overrides);
            } else {
                cluster.zookeeper = ZooKeeperProcess.start(dir.resolve("zookeeper"));
                cluster.spawnSluice(brokerCount, ports, overrides);
            }
            for (BrokerProcess broker : cluster.brokers.values()) {
                broker.awaitReady();
            }
        } catch (Exception | Error e) {
            cluster.closeAfterFailure(e);
            throw e;
        }
        return cluster;
    }

    /**
     * Distinct ports free now: each socket stays open until all are picked, so the OS hands out different ones.
     * A process could bind one before the broker does (a small race, as in {@link KafkaReferenceBroker}).
     */
    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private void spawnSluice(int brokerCount, List<Integer> ports, Map<String, String> overrides) throws IOException {
        for (int id = 0; id < brokerCount; id++) {
            Map<String, String> props = new HashMap<>();
            props.put("broker.id", Integer.toString(id));
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.get(id));
            props.put("zookeeper.connect", zookeeper.connectString());
            props.put("offsets.topic.replication.factor", Integer.toString(Math.min(3, brokerCount)));
            props.putAll(overrides);
            brokers.put(id, BrokerProcess.spawn(dir.resolve("broker-" + id), props));
        }
    }

    /**
     * Kafka's KRaft cluster as {@code kafka-storage format} and {@code kafka-server-start.sh} set it up by hand:
     * every node is a voter of a static quorum, and every log dir is formatted with the same cluster id before any
     * node starts. The properties are those of {@link KafkaReferenceBroker}, with the internal topics replicated.
     */
    private void spawnApacheKafka(int brokerCount, List<Integer> ports, Map<String, String> overrides) throws Exception {
        String voters = IntStream.range(0, brokerCount)
                .mapToObj(id -> id + "@127.0.0.1:" + ports.get(brokerCount + id))
                .collect(Collectors.joining(","));
        int replicationFactor = Math.min(3, brokerCount);
        String clusterId = Uuid.randomUuid().toString();
        List<Map<String, String>> configs = new ArrayList<>();
        for (int id = 0; id < brokerCount; id++) {
            Path nodeDir = dir.resolve("kafka-" + id);
            Map<String, String> props = new HashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", Integer.toString(id));
            props.put("controller.quorum.voters", voters);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.get(id)
                    + ",CONTROLLER://127.0.0.1:" + ports.get(brokerCount + id));
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports.get(id));
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("log.dirs", nodeDir.resolve("kafka-logs").toString());
            props.put("offsets.topic.replication.factor", Integer.toString(replicationFactor));
            props.put("transaction.state.log.replication.factor", Integer.toString(replicationFactor));
            props.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, replicationFactor)));
            props.put("group.initial.rebalance.delay.ms", "0");
            props.putAll(overrides);
            formatStorage(nodeDir, clusterId, props);
            configs.add(props);
        }
        for (int id = 0; id < brokerCount; id++) {
            brokers.put(id, BrokerProcess.spawnApacheKafka(dir.resolve("kafka-" + id), configs.get(id)));
        }
    }

    /** {@code kafka-storage format -t <clusterId> -c <config>}, run in this JVM: it only writes meta.properties. */
    private static void formatStorage(Path nodeDir, String clusterId, Map<String, String> props) throws IOException {
        Files.createDirectories(nodeDir);
        Path config = nodeDir.resolve("kafka-format.properties");
        Properties properties = new Properties();
        properties.putAll(props);
        try (Writer writer = Files.newBufferedWriter(config)) {
            properties.store(writer, "for kafka-storage format");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = kafka.tools.StorageTool$.MODULE$.execute(new String[] {"format", "-t", clusterId,
                "-c", config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IllegalStateException("kafka-storage format failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    /** Every broker's address, {@code 127.0.0.1:p0,127.0.0.1:p1,...}, whether it runs now or not. */
    public String bootstrap() {
        return brokers.values().stream().map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
    }

    /** The ids of every broker of the cluster, running or not. */
    public Set<Integer> brokerIds() {
        return Set.copyOf(brokers.keySet());
    }

    public BrokerProcess broker(int id) {
        BrokerProcess broker = brokers.get(id);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + id + " in a cluster of " + brokers.keySet());
        }
        return broker;
    }

    /** The directory holding broker {@code id}'s partition directories (its one log dir). */
    public Path logDir(int id) {
        Path nodeDir = broker(id).dataDir();
        return zookeeper == null ? nodeDir.resolve("kafka-logs") : nodeDir.resolve("logs");
    }

    /** The bytes of every segment of {@code tp} on broker {@code id}, in offset order; empty when it has none. */
    public byte[] logBytes(int id, TopicPartition tp) {
        Path partitionDir = logDir(id).resolve(tp.topic() + "-" + tp.partition());
        try (var files = Files.list(partitionDir)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (Path segment : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                all.write(Files.readAllBytes(segment));
            }
            return all.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The brokers' {@code zookeeper.connect}. */
    public String zookeeperConnect() {
        if (zookeeper == null) {
            throw new IllegalStateException("a KRaft cluster of Apache Kafka has no ZooKeeper");
        }
        return zookeeper.connectString();
    }

    /** An Admin on every broker's address, closed with the cluster. */
    public Admin admin() {
        if (admin == null) {
            admin = Admin.create(Clients.adminProps(bootstrap()));
        }
        return admin;
    }

    /** SIGKILL: the broker's ZooKeeper session lives on until it expires ({@code zookeeper.session.timeout.ms}). */
    public void kill(int id) throws InterruptedException {
        broker(id).kill9();
        suspended.remove(id);
    }

    /** SIGTERM and waits until the broker exited: it deregisters itself on the way out. */
    public void stop(int id) throws IOException, InterruptedException {
        resumeIfSuspended(id);
        broker(id).stop();
    }

    /**
     * Starts a broker that was killed or stopped, on its directories and port, and returns once it printed its
     * ready line: after {@link #kill}, a Sluice broker first waits for its previous ZooKeeper session to expire
     * and its old registration ({@code /brokers/ids/<id>}) to go, up to the session timeout.
     */
    public void restart(int id) throws Exception {
        BrokerProcess broker = broker(id);
        if (broker.isAlive()) {
            throw new IllegalStateException("broker " + id + " runs; kill or stop it first");
        }
        broker.restart();
    }


    /** SIGSTOP: the broker's JVM stops on the spot, its sockets and ZooKeeper session stay open, as in a long GC pause. */
    public void suspend(int id) throws IOException, InterruptedException {
        signal("STOP", broker(id));
        suspended.add(id);
    }

    /** SIGCONT for a broker that {@link #suspend} stopped. */
    public void resume(int id) throws IOException, InterruptedException {
        signal("CONT", broker(id));
        suspended.remove(id);
    }

    private void resumeIfSuspended(int id) throws IOException, InterruptedException {
        if (suspended.contains(id)) {
            resume(id);
        }
    }

    /** Java sends only SIGTERM and SIGKILL; {@code kill -<signal> <pid>} sends the others. */
    private static void signal(String signal, BrokerProcess broker) throws IOException, InterruptedException {
        if (!broker.isAlive()) {
            throw new IllegalStateException("broker process " + broker.pid() + " is not running");
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(broker.pid()))
                .redirectErrorStream(true)
                .start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + broker.pid() + " failed: " + output);
        }
    }

    /**
     * Waits until the brokers the cluster registers ({@code describeCluster().nodes()}) are exactly {@code ids}:
     * all of them after a start or restart, the others after a kill once the killed broker's session expired.
     */
    public void awaitBrokersRegistered(Set<Integer> ids) {
        Clients.waitUntil("the registered brokers are " + ids, sessionTimeout.plus(Clients.DEADLINE),
                () -> registeredBrokers().map(ids::equals).orElse(false));
    }

    /** The ids in {@code describeCluster().nodes()}, or empty when no broker answered in time. */
    private Optional<Set<Integer>> registeredBrokers() {
        try {
            Set<Integer> ids = admin().describeCluster().nodes().get(Clients.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .stream().map(Node::id).collect(Collectors.toSet());
            return Optional.of(ids);
        } catch (Exception notNow) {
            return Optional.empty();
        }
    }

    /** The leader of {@code tp} in the metadata clients get ({@code describeTopics}), or -1 when it has none. */
    public int leader(TopicPartition tp) throws Exception {
        Node leader = partition(tp).leader();
        return leader == null || leader.isEmpty() ? Node.noNode().id() : leader.id();
    }

    /** The in-sync replicas of {@code tp}, in the order {@code describeTopics} gives them. */
    public List<Integer> isr(TopicPartition tp) throws Exception {
        return partition(tp).isr().stream().map(Node::id).toList();
    }

    private TopicPartitionInfo partition(TopicPartition tp) throws Exception {
        TopicDescription description = admin().describeTopics(List.of(tp.topic())).allTopicNames()
                .get(Clients.DEADLINE.toMillis(), TimeUnit.MILLISECONDS).get(tp.topic());
        return description.partitions().stream().filter(p -> p.partition() == tp.partition()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(tp + " does not exist: " + description));
    }

    /**
     * Stops the brokers side by side (SIGTERM, SIGKILL after 60 s), then ZooKeeper. Every process ends even when
     * one of them does not stop cleanly; the first such failure is thrown afterwards, the others suppressed.
     */
    @Override
    public void close() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        if (admin != null) {
            admin.close(ADMIN_CLOSE_TIMEOUT);
            admin = null;
        }
        for (int id : Set.copyOf(suspended)) {
            try {
                resume(id);
            } catch (Exception | Error e) {
                failures.add(e);
            }
        }
        // side by side: a Kafka quorum stopped one node at a time loses its majority before its last nodes stop
        List<BrokerProcess> stopping = brokers.values().stream().filter(BrokerProcess::isAlive).toList();
        stopping.forEach(BrokerProcess::beginStop);
        for (BrokerProcess broker : stopping) {
            try {
                broker.awaitStop();
            } catch (Exception | Error e) {
                failures.add(e);
            } finally {
                broker.close();
            }
        }
        if (zookeeper != null) {
            try {
                zookeeper.close();
            } catch (Exception | Error e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            Throwable first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            if (first instanceof Exception exception) {
                throw exception;
            }
            throw (Error) first;
        }
    }

    /** After a failed start: everything started so far ends, and the start's failure is the one reported. */
    private void closeAfterFailure(Throwable cause) {
        try {
            close();
        } catch (Exception | Error e) {
            cause.addSuppressed(e);
        }
    }
}
