package io.sluice.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a program (kcat, /usr/bin/python3, a child JVM) with a deadline: on timeout it is killed
 * ({@code destroyForcibly}) and the test fails with what the program printed so far.
 */
final class ExternalProcess {

    /** Debian's interpreter, where python3-kafka and python3-confluent-kafka are installed (not a pyenv one on PATH). */
    static final String PYTHON = "/usr/bin/python3";

    record Result(int exitCode, String stdout, String stderr) {
        Result assertSuccess(String what) {
            if (exitCode != 0) {
                fail(what + " exited with " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }
    }

    private ExternalProcess() {
    }

    static Result run(List<String> command, String stdin, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outPump = pump(process.getInputStream(), out);
        Thread errPump = pump(process.getErrorStream(), err);
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the program may exit before reading its input; its exit code and output tell why
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                outPump.join(1000);
                errPump.join(1000);
                fail(String.join(" ", command) + " did not finish within " + timeout + "; killed it"
                        + "\nstdout:\n" + text(out) + "\nstderr:\n" + text(err));
            }
            outPump.join(5000);
            errPump.join(5000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new Result(process.exitValue(), text(out), text(err));
    }

    static Result python(String script, Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-u", "-c", script));
        command.addAll(List.of(args));
        return run(command, null, timeout);
    }

    /** Fails (never skips) when {@code program} is not installed, naming the Debian package to install. */
    static void requireProgram(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        fail(program + " is not installed: run bin/install-test-deps.sh or apt-get install " + debianPackage);
    }

    /** Fails (never skips) when Debian's python3 cannot import {@code module}, naming the package to install. */
    static void requirePythonModule(String module, String debianPackage) {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is not installed: apt-get install python3 " + debianPackage);
        }
        Result result = run(List.of(PYTHON, "-c", "import " + module), null, Duration.ofSeconds(60));
        if (result.exitCode() != 0) {
            fail("python module '" + module + "' is missing for " + PYTHON + ": run bin/install-test-deps.sh or apt-get install "
                    + debianPackage + "\n" + result.stderr());
        }
    }

    private static Thread pump(InputStream from, OutputStream to) {
        Thread thread = new Thread(() -> {
            try (from) {
                from.transferTo(to);
            } catch (IOException e) {
                // the process went away; what was read is kept
            }
        }, "process-output-pump");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String text(ByteArrayOutputStream bytes) {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
