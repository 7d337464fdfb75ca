package io.sluice.server.zk;

import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A standalone ZooKeeper server running inside the broker process, used when {@code zookeeper.connect}
 * is unset. It listens on 127.0.0.1 on a free port and keeps its data in {@code <first log dir>-zookeeper}
 * (a sibling of the log dir, not inside it, so the log manager never mistakes it for a partition).
 *
 * <p>The server belongs to this broker alone: sessions left over from a previous run of the process
 * (after a crash) are expired at startup, so the broker's ephemeral nodes do not block it for a
 * session timeout.
 *
 * <p>Lifecycle: constructor starts, {@link #close()} stops. Thread-safe.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    private static final int TICK_TIME_MS = 500;
    private static final int MAX_SESSION_TIMEOUT_MS = 120_000;

    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;
    private final Path dataDir;

    public EmbeddedZooKeeper(Path dataDir) throws IOException, InterruptedException {
        this.dataDir = dataDir;
        Files.createDirectories(dataDir);
        // No JMX log4j probing and no admin server: they are slow and we embed ZooKeeper, not run it.
        System.setProperty("zookeeper.jmx.log4j.disable", "true");
        System.setProperty("zookeeper.admin.enableServer", "false");
        this.server = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), TICK_TIME_MS) {
            // No JMX beans: registering them initialises the platform MBean server, half a second of startup.
            @Override
            protected void registerJMX() {
            }

            @Override
            protected void unregisterJMX() {
            }
        };
        // Kafka's default zookeeper.session.timeout.ms (18 s) must not be cut to 20 ticks
        server.setMaxSessionTimeout(MAX_SESSION_TIMEOUT_MS);
        this.factory = new NIOServerCnxnFactory();
        factory.configure(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
        try {
            factory.startup(server);
        } catch (IOException | InterruptedException | RuntimeException e) {
            factory.shutdown();
            throw e;
        }
        List<Long> stale = List.copyOf(server.getZKDatabase().getSessions());
        for (long session : stale) {
            server.expire(session);
        }
        log.info("Embedded ZooKeeper listening on 127.0.0.1:{} with data in {}{}", factory.getLocalPort(), dataDir,
                stale.isEmpty() ? "" : " (expired " + stale.size() + " sessions of a previous run)");
    }

    /** Where the embedded server keeps its data for a broker whose first log dir is {@code firstLogDir}. */
    public static Path dataDirFor(Path firstLogDir) {
        Path abs = firstLogDir.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + "-zookeeper");
    }

    public String connectString() {
        return "127.0.0.1:" + factory.getLocalPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        factory.shutdown();
        if (server.isRunning()) {
            server.shutdown();
        }
        try {
            server.getTxnLogFactory().close();
        } catch (IOException e) {
            log.warn("Error closing the embedded ZooKeeper's transaction log", e);
        }
    }
}
