package io.sluice.server;

import io.sluice.server.config.BrokerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The command line: {@code sluice-server-start.sh [server.properties] [--override key=value ...]},
 * like Kafka's {@code kafka-server-start.sh}. Starts one broker and stops it cleanly on SIGTERM.
 */
public final class SluiceServer {

    private SluiceServer() {
    }

    public static void main(String[] args) throws Exception {
        // before anything else, and so before the logger: the logging backend is one of the warm-up's steps
        StartupWarmUp.begin();
        Properties props = new Properties();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--version") || arg.equals("-version")) {
                StartupWarmUp.awaitLogging();
                System.out.println(version());
                return;
            } else if (arg.equals("--startup-training")) {
                StartupWarmUp.awaitLogging();
                StartupTraining.run();
                System.exit(0);
            } else if (arg.equals("--override") && i + 1 < args.length) {
                String kv = args[++i];
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    fail("--override takes key=value, got '" + kv + "'");
                }
                props.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
            } else if (arg.startsWith("-")) {
                fail("unknown option " + arg + "\nUsage: sluice-server-start.sh [--version] [server.properties] [--override key=value]...");
            } else {
                Properties file = new Properties();
                try (Reader reader = Files.newBufferedReader(Path.of(arg))) {
                    file.load(reader);
                } catch (IOException e) {
                    fail("cannot read " + arg + ": " + e.getMessage());
                }
                file.forEach(props::putIfAbsent);
            }
        }
        StartupWarmUp.awaitLogging();
        BrokerConfig config;
        try {
            config = new BrokerConfig(props);
        } catch (ConfigException e) {
            fail("Invalid configuration: " + e.getMessage());
            return;
        }
        Logger log = LoggerFactory.getLogger(SluiceServer.class);
        Broker broker = new Broker(config);
        broker.onFatalError(() -> System.exit(1));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down");
            broker.close();
            stopped.countDown();
        }, "sluice-shutdown"));
        try {
            broker.startup();
        } catch (ConfigException e) {
            fail("Invalid configuration: " + e.getMessage());
        } catch (Exception e) {
            log.error("Broker failed to start", e);
            System.exit(1);
        }
        stopped.await();
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = SluiceServer.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // the version line is informative only
        }
        return "Sluice " + p.getProperty("version", "unknown") + " (Kafka protocol of kafka-clients "
                + org.apache.kafka.common.utils.AppInfoParser.getVersion() + ")";
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }
}
