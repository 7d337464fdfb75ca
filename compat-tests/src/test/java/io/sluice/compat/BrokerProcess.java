package io.sluice.compat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Sluice broker in its own JVM ({@code java -cp <test classpath> io.sluice.server.SluiceServer
 * server.properties}), as {@code bin/sluice-server-start.sh} runs it, so that a test can kill it
 * with SIGKILL. The port is read from the ready line
 * ({@code ... listening on [PLAINTEXT://127.0.0.1:<port>]}); the broker's output goes to
 * {@code broker-<n>.log} in the data directory.
 *
 * <p>For a reference run against Apache Kafka ({@link ClusterProcesses} with {@code -Dcompat.broker=kafka}),
 * {@link #spawnApacheKafka} runs {@code kafka.Kafka server.properties} the same way; its port is the one its
 * {@code listeners} names, and it is ready once it logs {@code Kafka Server started}.
 *
 * <p>Not thread-safe: a test drives it from its own thread.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("listening on \\[PLAINTEXT://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern KAFKA_READY = Pattern.compile("Kafka Server started");
    private static final Pattern KAFKA_PORT = Pattern.compile("PLAINTEXT://127\\.0\\.0\\.1:(\\d+)");
    private static final long START_TIMEOUT_MS = 60_000;
    /** A raft quorum of JVMs starting side by side on two cores takes longer than one Sluice broker. */
    private static final long KAFKA_START_TIMEOUT_MS = 120_000;

    private final Path dataDir;
    private final Map<String, String> overrides;
    private final List<String> jvmOptions;
    private final boolean apacheKafka;
    private Process process;
    private Thread outputReader;
    private CompletableFuture<Integer> ready;
    private Path logFile;
    private int port;
    private int starts;

    private BrokerProcess(Path dataDir, Map<String, String> overrides, List<String> jvmOptions, boolean apacheKafka) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.apacheKafka = apacheKafka;
    }

    public static BrokerProcess start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    public static BrokerProcess start(Path dataDir, Map<String, String> overrides) throws Exception {
        return start(dataDir, overrides, List.of());
    }

    /** @param jvmOptions added to the broker's JVM command line, after its 512 MB heap and serial GC */
    public static BrokerProcess start(Path dataDir, Map<String, String> overrides, List<String> jvmOptions)
            throws Exception {
        BrokerProcess broker = new BrokerProcess(dataDir, overrides, jvmOptions, false);
        broker.launch();
        return broker;
    }

    /**
     * Starts a broker without waiting for its ready line; {@link #awaitReady()} waits. For brokers started side
     * by side.
     */
    static BrokerProcess spawn(Path dataDir, Map<String, String> overrides) throws IOException {
        BrokerProcess broker = new BrokerProcess(dataDir, overrides, List.of(), false);
        broker.spawnProcess();
        return broker;
    }

    /**
     * Starts Apache Kafka ({@code kafka.Kafka}) with exactly {@code serverProperties}, on log dirs already formatted
     * by {@code kafka-storage format}, without waiting: a node of a raft quorum becomes ready only once enough
     * voters run, so the caller starts them all, then calls {@link #awaitReady()} on each.
     */
    static BrokerProcess spawnApacheKafka(Path dataDir, Map<String, String> serverProperties) throws IOException {
        BrokerProcess node = new BrokerProcess(dataDir, serverProperties, List.of(), true);
        node.spawnProcess();
        return node;
    }

    /**
     * {@code java -Xmx512m -XX:+UseSerialGC <jvmOptions> -cp <the tests' classpath> mainClass args}: the JVM these
     * tests run on, so a child process has every jar a test has.
     */
    static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
        // Surefire runs tests from a manifest-only jar; the real classpath is in this property.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private void launch() throws Exception {
        spawnProcess();
        awaitReady();
    }

    private void spawnProcess() throws IOException {
        Files.createDirectories(dataDir);
        Path propsFile = dataDir.resolve("server.properties");
        Properties props = properties();
        try (Writer writer = Files.newBufferedWriter(propsFile)) {
            props.store(writer, "written by " + BrokerProcess.class.getSimpleName());
        }
        logFile = dataDir.resolve("broker-" + (++starts) + ".log");
        String mainClass = apacheKafka ? "kafka.Kafka" : "io.sluice.server.SluiceServer";
        process = new ProcessBuilder(javaCommand(jvmOptions, mainClass, propsFile.toString()))
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Integer> started = new CompletableFuture<>();
        ready = started;
        Path log = logFile;
        outputReader = new Thread(() -> copyOutput(log, started), "broker-process-output");
        outputReader.setDaemon(true);
        outputReader.start();
    }

    private Properties properties() {
        if (!apacheKafka) {
            return SluiceCluster.brokerProperties(dataDir, overrides);
        }
        Properties props = new Properties();
        props.putAll(overrides);
        return props;
    }

    /** Waits until the process started last printed its ready line; kills it and fails if it did not. */
    void awaitReady() throws Exception {
        long timeoutMs = apacheKafka ? KAFKA_START_TIMEOUT_MS : START_TIMEOUT_MS;
        try {
            port = ready.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("broker process did not print its ready line (it exited, or " + timeoutMs
                    + " ms passed); its output:\n" + Files.readString(logFile), e);
        }
    }

    /** The port the ready line names; for Kafka, which names none, the PLAINTEXT port of its listeners. */
    private int readyPort(String line) {
        if (apacheKafka) {
            if (!KAFKA_READY.matcher(line).find()) {
                return -1;
            }
            Matcher listener = KAFKA_PORT.matcher(overrides.getOrDefault("listeners", ""));
            return listener.find() ? Integer.parseInt(listener.group(1)) : 0;
        }
        Matcher matcher = READY.matcher(line);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private void copyOutput(Path logFile, CompletableFuture<Integer> ready) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = lines.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                if (!ready.isDone()) {
                    int readyPort = readyPort(line);
                    if (readyPort >= 0) {
                        ready.complete(readyPort);
                    }
                }
            }
            ready.completeExceptionally(new IllegalStateException("broker process exited with " + process.waitFor()));
        } catch (IOException | InterruptedException e) {
            ready.completeExceptionally(e);
        }
    }

    public int port() {
        return port;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The broker's resident set size now, from {@code /proc/<pid>/status} (Linux). */
    public long residentBytes() throws IOException {
        return statusBytes("VmRSS:");
    }

    /** The broker's peak resident set size so far ({@code VmHWM}). */
    public long peakResidentBytes() throws IOException {
        return statusBytes("VmHWM:");
    }

    private long statusBytes(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no " + field + " line for process " + process.pid());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The operating system's id of the broker's JVM (of its last start), for signals Java cannot send. */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed by the broker. */
    public void kill9() throws InterruptedException {
        // through the ProcessHandle: Process.destroy* would also close the pipe of the broker's output
        process.toHandle().destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("broker process survived SIGKILL");
        }
        outputReader.join(10_000);
    }

    /** SIGTERM, as a clean {@code kill}: the broker's shutdown hook closes it. Returns the exit code. */
    public int stop() throws InterruptedException {
        beginStop();
        return awaitStop();
    }

    /**
     * Sends SIGTERM without waiting, so that several brokers shut down side by side ({@link #awaitStop()} waits):
     * a Kafka raft quorum stopped one node at a time loses its majority before the last nodes have shut down.
     */
    void beginStop() {
        // through the ProcessHandle: Process.destroy() would also close the pipe, losing the shutdown's log lines
        process.toHandle().destroy();
    }

    /** Waits up to 60 s for the exit that {@link #beginStop()} asked for (SIGKILL after that); the exit code. */
    int awaitStop() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("broker process did not stop within 60 s of SIGTERM; killed it");
        }
        // the last lines (the shutdown hook's) may still be in the pipe
        outputReader.join(10_000);
        return process.exitValue();
    }

    /** Starts a new broker process on the same directories (after {@link #stop()} or {@link #kill9()}). */
    public void restart() throws Exception {
        if (process.isAlive()) {
            throw new IllegalStateException("stop or kill the broker first");
        }
        launch();
    }

    /** The broker's output of every start so far. */
    public String output() {
        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= starts; i++) {
            try {
                all.append(Files.readString(dataDir.resolve("broker-" + i + ".log")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
