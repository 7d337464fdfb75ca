package io.sluice.embedded;

import io.sluice.server.Broker;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.controller.TopicAdmin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Sluice brokers running inside this JVM, for tests: one broker by default, or a cluster of several on one
 * ZooKeeper. The first broker runs the embedded ZooKeeper (as a broker without {@code zookeeper.connect} does);
 * the others connect to it.
 *
 * <pre>{@code
 * try (EmbeddedSluice sluice = EmbeddedSluice.builder().topic("orders", 3).start()) {
 *     props.put("bootstrap.servers", sluice.bootstrapServers());
 *     ...
 * }
 * }</pre>
 *
 * <p>Listeners bind {@code 127.0.0.1} on ports the operating system picks unless {@link Builder#ports} names them.
 * Logs and ZooKeeper's data are in a new temporary directory that {@link #close()} deletes, unless
 * {@link Builder#dataDir} names a directory of the caller's, which is kept.
 *
 * <p>Defaults differ from a production broker's only where a test needs it: {@code group.initial.rebalance.delay.ms=0}
 * (a group's first member gets its assignment at once) and {@code offsets.topic.replication.factor=1} (Kafka's 3
 * cannot be met by fewer brokers; transactions, when built, will need the same of their log); every property
 * given to the builder overrides them.
 *
 * <p>Thread-safe: the started brokers are fixed; {@link #close()} may be called from any thread, more than once.
 */
public final class EmbeddedSluice implements AutoCloseable {

    private static final long TOPIC_TIMEOUT_MS = 30_000;

    private final List<Broker> brokers;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private boolean closed;

    private EmbeddedSluice(List<Broker> brokers, Path dataDir, boolean deleteOnClose) {
        this.brokers = List.copyOf(brokers);
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code host:port} of every broker, comma separated: the value for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return brokers.stream().map(broker -> "127.0.0.1:" + broker.port()).collect(Collectors.joining(","));
    }

    /** The connect string of the ZooKeeper the brokers share. */
    public String zookeeperConnect() {
        return brokers.get(0).zkCluster().connectString();
    }

    public int brokerCount() {
        return brokers.size();
    }

    /** Where the brokers keep their logs ({@code broker-<id>/logs}) and ZooKeeper its data. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates a topic with {@code partitions} partitions and {@code replicationFactor} replicas, and returns once
     * every partition has a leader in the brokers' metadata, so that the first produce finds it.
     */
    public void createTopic(String name, int partitions, int replicationFactor) {
        TopicAdmin admin = brokers.get(0).topicAdmin();
        try {
            admin.createTopic(TopicAdmin.NewTopic.of(name, partitions, (short) replicationFactor), false,
                    TOPIC_TIMEOUT_MS).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, 1);
    }

    /** Stops the brokers (the one running ZooKeeper last) and deletes a temporary data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = brokers.size() - 1; i >= 0; i--) {
            brokers.get(i).close();
        }
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    /** What to start. Not thread-safe; {@link #start()} may be called more than once for several clusters. */
    public static final class Builder {

        private int brokerCount = 1;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, int[]> topics = new LinkedHashMap<>();
        private int[] ports = new int[0];
        private Path dataDir;

        private Builder() {
        }

        /** How many brokers, with ids 0 to {@code count - 1}. */
        public Builder brokers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("brokers must be at least 1, not " + count);
            }
            this.brokerCount = count;
            return this;
        }

        /** A broker config, as in {@code server.properties}, for every broker. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, String> more) {
            properties.putAll(more);
            return this;
        }

        /** A topic created before {@link #start()} returns, with replication factor 1. */
        public Builder topic(String name, int partitions) {
            return topic(name, partitions, 1);
        }

        public Builder topic(String name, int partitions, int replicationFactor) {
            topics.put(name, new int[] {partitions, replicationFactor});
            return this;
        }

        /** Fixed listener ports, one per broker in id order, instead of ports the operating system picks. */
        public Builder ports(int... fixedPorts) {
            this.ports = fixedPorts.clone();
            return this;
        }

        /** Keeps the data in {@code directory} (created if absent, kept on close) instead of a temporary one. */
        public Builder dataDir(Path directory) {
            this.dataDir = directory;
            return this;
        }

        /** Starts the brokers and creates the topics; on failure, stops whatever started. */
        public EmbeddedSluice start() {
            if (ports.length != 0 && ports.length != brokerCount) {
                throw new IllegalArgumentException(ports.length + " ports given for " + brokerCount + " brokers");
            }
            boolean temporary = dataDir == null;
            Path dir = temporary ? createTempDir() : createDir(dataDir);
            List<Broker> started = new ArrayList<>();
            try {
                for (int id = 0; id < brokerCount; id++) {
                    String zookeeper = id == 0 ? null : started.get(0).zkCluster().connectString();
                    Broker broker = new Broker(new BrokerConfig(brokerProperties(id, dir, zookeeper)));
                    broker.startup();
                    started.add(broker);
                }
                awaitEveryBrokerSeesTheOthers(started);
                EmbeddedSluice sluice = new EmbeddedSluice(started, dir, temporary);
                for (Map.Entry<String, int[]> topic : topics.entrySet()) {
                    sluice.createTopic(topic.getKey(), topic.getValue()[0], topic.getValue()[1]);
                }
                return sluice;
            } catch (Exception | Error e) {
                new EmbeddedSluice(started, dir, temporary).close();
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException("Sluice did not start: " + e.getMessage(), e);
            }
        }

        /**
         * Registrations reach the other brokers through ZooKeeper watches: until they have, a topic created right
         * after start would be assigned to the brokers seen so far only.
         */
        private static void awaitEveryBrokerSeesTheOthers(List<Broker> brokers) throws Exception {
            for (Broker broker : brokers) {
                broker.metadataCache().await(image -> image.brokers().size() >= brokers.size(), TOPIC_TIMEOUT_MS)
                        .get();
            }
        }

        private Properties brokerProperties(int id, Path dir, String zookeeperConnect) {
            Properties props = new Properties();
            props.setProperty("broker.id", Integer.toString(id));
            props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + (ports.length == 0 ? 0 : ports[id]));
            props.setProperty("log.dirs", dir.resolve("broker-" + id).resolve("logs").toString());
            props.setProperty("group.initial.rebalance.delay.ms", "0");
            props.setProperty("offsets.topic.replication.factor", "1");
            props.putAll(properties);
            if (zookeeperConnect != null) {
                props.setProperty(BrokerConfig.ZOOKEEPER_CONNECT, zookeeperConnect);
            }
            return props;
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("sluice-embedded-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createDir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path visited, IOException e) throws IOException {
                    Files.delete(visited);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
