package io.sluice.server;

import io.sluice.server.config.BrokerConfig;
import io.sluice.storage.LogManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A broker whose logs cannot be loaded fails to start and leaves the log dirs as it found them. */
class BrokerStartupTest {

    @TempDir
    Path dir;

    @Test
    void aFailedLogLoadDoesNotMarkTheLogDirsCleanlyShutDown() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        // the same partition in two log dirs: the log manager refuses to load, as Kafka does
        Files.createDirectories(a.resolve("orders-0"));
        Files.createDirectories(b.resolve("orders-0"));
        Broker broker = new Broker(new BrokerConfig(Map.of(
                BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0",
                BrokerConfig.LOG_DIRS, a + "," + b)));
        assertThrows(Exception.class, broker::startup);
        // a clean-shutdown marker would make the next start skip the recovery of logs never loaded
        assertFalse(Files.exists(a.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        assertFalse(Files.exists(b.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
    }
}
