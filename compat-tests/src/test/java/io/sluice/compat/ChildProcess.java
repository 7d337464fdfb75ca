package io.sluice.compat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A long-running child process (a Python group consumer, a consumer in its own JVM) that the test talks to while
 * it runs: its stdout lines are collected as they come, its stdin is the stop signal (closing it asks the
 * program to leave its group and exit). Every child has a hard deadline after which a watchdog kills it with
 * SIGKILL, and {@link #close()} kills it too, so that no child outlives its test.
 */
final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Thread watchdog;
    private final Thread stdoutPump;
    private final Thread stderrPump;

    private ChildProcess(String name, List<String> command, Duration hardTimeout) {
        this.name = name;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        stdoutPump = daemon(() -> pumpLines(process.getInputStream(), stdout::add), name + "-stdout");
        stderrPump = daemon(() -> pumpLines(process.getErrorStream(), line -> stderr.append(line).append('\n')),
                name + "-stderr");
        stdoutPump.start();
        stderrPump.start();
        watchdog = daemon(() -> {
            try {
                if (!process.waitFor(hardTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    stderr.append("[test] killed after its hard timeout of ").append(hardTimeout).append('\n');
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }, name + "-watchdog");
        watchdog.start();
    }

    static ChildProcess start(String name, List<String> command, Duration hardTimeout) {
        return new ChildProcess(name, command, hardTimeout);
    }

    /** A JVM running {@code mainClass} of the test classpath (Surefire's real classpath, not its manifest jar). */
    static ChildProcess java(String name, Duration hardTimeout, String mainClass, String... args) {
        return start(name, javaCommand(mainClass, args), hardTimeout);
    }

    /** The command line of a JVM running {@code mainClass} of the test classpath. */
    static List<String> javaCommand(String mainClass, String... args) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** Debian's python3 running {@code script} (text) with {@code args}, unbuffered. */
    static ChildProcess python(String name, Duration hardTimeout, String script, String... args) {
        List<String> command = new ArrayList<>(List.of(ExternalProcess.PYTHON, "-u", "-c", script));
        command.addAll(List.of(args));
        return start(name, command, hardTimeout);
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void pumpLines(java.io.InputStream from, java.util.function.Consumer<String> to) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                to.accept(line);
            }
        } catch (IOException e) {
            // the process went away; what was read is kept
        }
    }

    List<String> lines() {
        return new ArrayList<>(stdout);
    }

    String describe() {
        return name + " (alive: " + process.isAlive() + ")\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + stderr;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until a stdout line matches, failing with the child's output after {@code timeout} or if it exits. */
    void awaitLine(String what, Predicate<String> matches, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (stdout.stream().noneMatch(matches)) {
            if (System.nanoTime() > deadline || !process.isAlive() && stdout.stream().noneMatch(matches)) {
                fail("waiting for " + what + " from " + describe());
            }
            sleep(50);
        }
    }

    /** Closes its stdin, the stop signal of the test's programs, and waits for a clean exit. Returns the exit code. */
    int stop(Duration timeout) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        return awaitExit(timeout, "its stop signal");
    }

    /**
     * SIGTERM, the way Kafka's tools are stopped (their shutdown hooks flush and report), and waits for the exit and
     * its last lines. Returns the exit code.
     */
    int terminate(Duration timeout) {
        process.destroy();
        return awaitExit(timeout, "SIGTERM");
    }

    /** Waits for the exit that {@code signal} asked for, killing the child and failing after {@code timeout}. */
    private int awaitExit(Duration timeout, String signal) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(name + " did not exit within " + timeout + " of " + signal + "; killed it\n" + describe());
            }
            // the process has exited, but its last lines may still be on their way through the pumps
            stdoutPump.join(10_000);
            stderrPump.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    /** SIGKILL, as {@code kill -9}: nothing runs in the child, it does not leave its group. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL");
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        watchdog.interrupt();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
