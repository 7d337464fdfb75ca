package io.sluice.compat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A standalone ZooKeeper server in its own JVM ({@code java -cp <test classpath>
 * org.apache.zookeeper.server.quorum.QuorumPeerMain zk.properties}, as {@code bin/zookeeper-server-start.sh}
 * runs it), shared by brokers in other JVMs: what the brokers of a real cluster connect to, instead of the
 * embedded ZooKeeper a single broker starts. It listens on 127.0.0.1 on a port picked free at start and kept
 * for its lifetime; its data and its output ({@code zookeeper.log}) are in the directory given.
 *
 * <p>Not thread-safe: a test drives it from its own thread.
 */
final class ZooKeeperProcess implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 60_000;

    private final Path dir;
    private final int port;
    private final Process process;

    private ZooKeeperProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts ZooKeeper with its data under {@code dir} and waits until it serves. */
    static ZooKeeperProcess start(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        Properties props = new Properties();
        props.setProperty("dataDir", dir.resolve("data").toString());
        props.setProperty("clientPort", Integer.toString(port));
        props.setProperty("clientPortAddress", "127.0.0.1");
        // as Kafka's config/zookeeper.properties: every broker connects from 127.0.0.1, no HTTP admin port
        props.setProperty("maxClientCnxns", "0");
        props.setProperty("admin.enableServer", "false");
        Path config = dir.resolve("zk.properties");
        try (Writer writer = Files.newBufferedWriter(config)) {
            props.store(writer, "written by " + ZooKeeperProcess.class.getSimpleName());
        }
        Process process = new ProcessBuilder(BrokerProcess.javaCommand(List.of(),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(dir.resolve("zookeeper.log").toFile()))
                .start();
        ZooKeeperProcess zookeeper = new ZooKeeperProcess(dir, port, process);
        try {
            zookeeper.awaitServing();
        } catch (Exception | Error e) {
            zookeeper.close();
            throw e;
        }
        return zookeeper;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Polls with the {@code srvr} four-letter word (the one ZooKeeper enables by default) until the answer names a
     * mode: the port accepts connections before the server has loaded its database and serves requests.
     */
    private void awaitServing() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("ZooKeeper exited with " + process.exitValue() + "; its output:\n" + output());
            }
            if (srvr().contains("Mode: standalone")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("ZooKeeper did not serve on " + connectString() + " within " + START_TIMEOUT_MS
                + " ms; its output:\n" + output());
    }

    private String srvr() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException notYet) {
            return "";
        }
    }

    /** What a broker's {@code zookeeper.connect} names. */
    String connectString() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() throws IOException {
        Path log = dir.resolve("zookeeper.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** SIGTERM, then SIGKILL if ZooKeeper has not exited within 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
