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
 */
public final class BrokerProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("listening on \\[PLAINTEXT://127\\.0\\.0\\.1:(\\d+)");
    private static final long START_TIMEOUT_MS = 60_000;

    private final Path dataDir;
    private final Map<String, String> overrides;
    private final List<String> jvmOptions;
    private Process process;
    private Thread outputReader;
    private int port;
    private int starts;

    private BrokerProcess(Path dataDir, Map<String, String> overrides, List<String> jvmOptions) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
        this.jvmOptions = List.copyOf(jvmOptions);
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
        BrokerProcess broker = new BrokerProcess(dataDir, overrides, jvmOptions);
        broker.launch();
        return broker;
    }

    private void launch() throws Exception {
        Files.createDirectories(dataDir);
        Path propsFile = dataDir.resolve("server.properties");
        Properties props = SluiceCluster.brokerProperties(dataDir, overrides);
        try (Writer writer = Files.newBufferedWriter(propsFile)) {
            props.store(writer, "written by " + BrokerProcess.class.getSimpleName());
        }
        Path logFile = dataDir.resolve("broker-" + (++starts) + ".log");
        // Surefire runs tests from a manifest-only jar; the real classpath is in this property.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, "io.sluice.server.SluiceServer", propsFile.toString()));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        outputReader = new Thread(() -> copyOutput(logFile, ready), "broker-process-output");
        outputReader.setDaemon(true);
        outputReader.start();
        try {
            port = ready.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("broker process did not print its ready line (it exited, or " + START_TIMEOUT_MS
                    + " ms passed); its output:\n" + Files.readString(logFile), e);
        }
    }

    private void copyOutput(Path logFile, CompletableFuture<Integer> ready) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = lines.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                Matcher matcher = READY.matcher(line);
                if (!ready.isDone() && matcher.find()) {
                    ready.complete(Integer.parseInt(matcher.group(1)));
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
        // through the ProcessHandle: Process.destroy() would also close the pipe, losing the shutdown's log lines
        process.toHandle().destroy();
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
