package io.sluice.compat;

import io.sluice.server.Broker;
import io.sluice.server.config.BrokerConfig;
import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One Sluice broker started in this JVM, on loopback with a port picked by the OS, its logs and its
 * embedded ZooKeeper in a directory the test owns. {@link #restart()} stops it cleanly and starts a
 * new broker on the same directories (the port may change, so ask {@link #bootstrap()} again).
 *
 * <p>With {@code -Dcompat.broker=kafka} it starts Apache Kafka 4.3 instead ({@link KafkaReferenceBroker}),
 * to check that the tests expect what Kafka does.
 *
 * <p>Not thread-safe: a test class drives it from its own thread.
 */
public final class SluiceCluster implements AutoCloseable {

    private final Path dataDir;
    private final Map<String, String> overrides;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private Broker broker;
    private KafkaReferenceBroker reference;

    private SluiceCluster(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
    }

    /** Starts a broker with Kafka's defaults, {@code listeners=PLAINTEXT://127.0.0.1:0}, data under {@code dataDir}. */
    public static SluiceCluster start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    public static SluiceCluster start(Path dataDir, Map<String, String> overrides) throws Exception {
        SluiceCluster cluster = new SluiceCluster(dataDir, overrides);
        cluster.startBroker();
        return cluster;
    }

    /** The server.properties of the broker: what a user would write, plus the test's overrides. */
    static Properties brokerProperties(Path dataDir, Map<String, String> overrides) {
        Properties props = new Properties();
        props.setProperty("broker.id", "0");
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:0");
        props.setProperty("log.dirs", dataDir.resolve("logs").toString());
        props.putAll(overrides);
        return props;
    }

    private void startBroker() throws Exception {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (againstApacheKafka()) {
            KafkaReferenceBroker started = new KafkaReferenceBroker(dataDir);
            started.startup();
            reference = started;
            return;
        }
        Broker started = new Broker(new BrokerConfig(brokerProperties(dataDir, overrides)));
        started.startup();
        broker = started;
    }

    /** True when the run checks the tests against Apache Kafka ({@code -Dcompat.broker=kafka}). */
    static boolean againstApacheKafka() {
        return "kafka".equals(System.getProperty("compat.broker"));
    }

    public int port() {
        return reference != null ? reference.port() : broker.port();
    }

    public String bootstrap() {
        return "127.0.0.1:" + port();
    }

    public int brokerId() {
        return reference != null ? 0 : broker.config().brokerId();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A clean stop (as SIGTERM would) and a start on the same directories. Clients made before are closed. */
    public void restart() throws Exception {
        closeClients();
        stopBroker();
        startBroker();
    }

    /** An Admin on this broker, closed with the cluster or on restart. */
    public Admin admin() {
        Admin admin = Admin.create(Clients.adminProps(bootstrap()));
        clients.add(admin);
        return admin;
    }

    /** Registers a client to close with the cluster. */
    public <T extends AutoCloseable> T closeLater(T client) {
        clients.add(client);
        return client;
    }

    private void closeClients() {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // a client of a broker going away may fail to close cleanly; nothing to assert here
            }
        }
        clients.clear();
    }

    @Override
    public void close() {
        closeClients();
        stopBroker();
    }

    private void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (reference != null) {
            reference.close();
            reference = null;
        }
    }
}
