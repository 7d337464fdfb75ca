package io.sluice.compat;

import org.apache.kafka.common.utils.Exit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs Kafka's command line tools, unmodified, in this JVM: {@code main(String[])} of the class the
 * {@code bin/kafka-*.sh} script runs, with stdin, stdout and stderr redirected, and
 * {@link Exit}'s procedures replaced so that a tool's {@code Exit.exit(n)} ends the tool and not
 * the test JVM. Shutdown hooks the tool registers through {@link Exit#addShutdownHook} run when it
 * ends, as they would when its JVM exits (ConsoleProducer closes, and so flushes, its producer there).
 *
 * <p>Tools run one at a time (stdout is process-wide); test classes run sequentially in one JVM.
 */
final class KafkaTools {

    static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
    static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
    static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    static final String GET_OFFSETS = "org.apache.kafka.tools.GetOffsetShell";
    static final String DELETE_RECORDS = "org.apache.kafka.tools.DeleteRecordsCommand";
    static final String PRODUCER_PERF_TEST = "org.apache.kafka.tools.ProducerPerformance";
    static final String BROKER_API_VERSIONS = "org.apache.kafka.tools.BrokerApiVersionsCommand";
    /** kafka-configs.sh: still the Scala command of the core jar in 4.3. */
    static final String CONFIGS = "kafka.admin.ConfigCommand";

    record Result(int exitCode, String stdout, String stderr) {
        Result assertSuccess(String what) {
            if (exitCode != 0) {
                fail(what + " exited with " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }
    }

    /** Thrown by the replaced exit procedure to unwind the tool's main. */
    private static final class ToolExit extends RuntimeException {
        final int status;

        ToolExit(int status) {
            super("tool exited with " + status, null, false, false);
            this.status = status;
        }
    }

    private KafkaTools() {
    }

    static Result run(String mainClass, String... args) {
        return runWithInput(mainClass, "", args);
    }

    /** Runs the tool with {@code stdin} as its standard input. */
    static synchronized Result runWithInput(String mainClass, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        InputStream savedIn = System.in;
        List<Runnable> shutdownHooks = new ArrayList<>();
        Integer[] firstExit = {null};
        int[] outAtExit = {-1};
        int[] errAtExit = {-1};
        int status = 0;
        try (PrintStream toolOut = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream toolErr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(toolOut);
            System.setErr(toolErr);
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            // The JVM ends at the first exit: keep its status and what was printed until then. Tools that
            // catch Throwable (TopicCommand's mainNoExit) may run on and exit again; that is ignored.
            Exit.Procedure exit = (code, message) -> {
                if (firstExit[0] == null) {
                    firstExit[0] = code;
                    outAtExit[0] = out.size();
                    errAtExit[0] = err.size();
                }
                throw new ToolExit(code);
            };
            Exit.setExitProcedure(exit);
            Exit.setHaltProcedure(exit);
            Exit.setShutdownHookAdder((name, hook) -> shutdownHooks.add(hook));
            try {
                Method main = Class.forName(mainClass).getMethod("main", String[].class);
                main.invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                status = exitStatus(e.getCause(), toolErr);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("cannot run " + mainClass, e);
            }
            if (firstExit[0] != null) {
                status = firstExit[0];
            }
            runShutdownHooks(shutdownHooks, toolErr);
        } finally {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
            Exit.resetShutdownHookAdder();
            System.setOut(savedOut);
            System.setErr(savedErr);
            System.setIn(savedIn);
        }
        Result result = new Result(status, printedBeforeExit(out, outAtExit[0]), printedBeforeExit(err, errAtExit[0]));
        savedOut.println("$ " + shortName(mainClass) + " " + String.join(" ", args) + "  -> exit " + status
                + "\n" + result.stdout() + result.stderr());
        return result;
    }

    private static String printedBeforeExit(ByteArrayOutputStream printed, int sizeAtExit) {
        byte[] bytes = printed.toByteArray();
        int length = sizeAtExit >= 0 ? sizeAtExit : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private static int exitStatus(Throwable thrown, PrintStream toolErr) {
        if (thrown instanceof ToolExit exit) {
            return exit.status;
        }
        // An exception out of main makes the JVM print it and exit with 1.
        thrown.printStackTrace(toolErr);
        return 1;
    }

    private static void runShutdownHooks(List<Runnable> hooks, PrintStream toolErr) {
        for (Runnable hook : hooks) {
            Thread thread = new Thread(hook, "tool-shutdown-hook");
            thread.setDaemon(true);
            thread.start();
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                toolErr.println("shutdown hook still running after 30 s");
                thread.interrupt();
            }
        }
    }

    private static String shortName(String mainClass) {
        return mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }
}
