package io.sluice.compat;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Apache Kafka 4.3 itself (kafka_2.13, KRaft, one combined broker and controller), started in this
 * JVM on the same kind of directory, to check that a compatibility test states what Kafka does: run
 * the suite with {@code -Dcompat.broker=kafka}. A reference to compare with, never code Sluice calls.
 *
 * <p>Kafka's raft quorum needs its controller port before it starts, so both ports are picked free
 * up front (a small race with other processes, acceptable for a reference run).
 */
final class KafkaReferenceBroker implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    KafkaReferenceBroker(Path dataDir) throws Exception {
        this.dataDir = dataDir;
        Path portsFile = dataDir.resolve("kafka-ports");
        if (Files.exists(portsFile)) {
            // a restart keeps the ports: the quorum's voter address is in the metadata log
            String[] ports = Files.readString(portsFile).strip().split(",");
            port = Integer.parseInt(ports[0]);
            controllerPort = Integer.parseInt(ports[1]);
        } else {
            port = freePort();
            controllerPort = freePort();
            Files.createDirectories(dataDir);
            Files.writeString(portsFile, port + "," + controllerPort);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Properties properties() {
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "0");
        props.setProperty("controller.quorum.voters", "0@127.0.0.1:" + controllerPort);
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("log.dirs", dataDir.resolve("kafka-logs").toString());
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        return props;
    }

    void startup() throws Exception {
        Properties props = properties();
        Path configFile = dataDir.resolve("kafka-server.properties");
        try (Writer writer = Files.newBufferedWriter(configFile)) {
            props.store(writer, "Apache Kafka reference broker");
        }
        if (!Files.exists(dataDir.resolve("kafka-logs").resolve("meta.properties"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = kafka.tools.StorageTool$.MODULE$.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                    "-c", configFile.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IllegalStateException("kafka-storage format failed: " + out.toString(StandardCharsets.UTF_8));
            }
        }
        server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }
}
