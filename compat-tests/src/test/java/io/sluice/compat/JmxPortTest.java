package io.sluice.compat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code JMX_PORT=<port> bin/sluice-server-start.sh} opens remote JMX on that port, as
 * {@code kafka-server-start.sh} does: a JMX client (what jconsole and the Prometheus JMX exporter use) connects
 * without credentials and reads the broker JVM's MBeans.
 */
class JmxPortTest {

    @Test
    void jmxPortOpensRemoteJmxAsKafkasStartScriptDoes(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "Sluice's start script");
        int jmxPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            jmxPort = probe.getLocalPort();
        }
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("bin/sluice-server-start.sh");
        ProcessBuilder builder = new ProcessBuilder(List.of(script.toString(),
                "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                "--override", "log.dirs=" + dataDir.resolve("logs")))
                .redirectErrorStream(true);
        builder.environment().put("JMX_PORT", Integer.toString(jmxPort));
        // the class-data-sharing training run is not what this checks
        builder.environment().put("SLUICE_CDS", "false");
        Process broker = builder.start();
        try {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(broker.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        output.append(line).append('\n');
                        if (line.contains("listening on [PLAINTEXT://")) {
                            ready.complete(null);
                        }
                    }
                    ready.completeExceptionally(new AssertionError("the broker exited:\n" + output));
                } catch (Exception e) {
                    ready.completeExceptionally(e);
                }
            }, "jmx-broker-output");
            reader.setDaemon(true);
            reader.start();
            ready.get(60, TimeUnit.SECONDS);

            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
                MBeanServerConnection mbeans = connector.getMBeanServerConnection();
                Object pid = mbeans.getAttribute(new ObjectName("java.lang:type=Runtime"), "Pid");
                assertEquals(broker.pid(), ((Number) pid).longValue(), "JMX reached another JVM");
            }
        } finally {
            broker.destroy();
            if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }
}
