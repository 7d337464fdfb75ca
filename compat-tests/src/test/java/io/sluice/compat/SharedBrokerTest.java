package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * One broker for all tests of a class, which keep out of each other's way with unique topic names:
 * started before the first test on a fresh temp dir, stopped after the last. Test classes run one at a
 * time, so the static fields belong to the class running.
 */
abstract class SharedBrokerTest {

    @TempDir
    static Path dataDir;
    static SluiceCluster cluster;
    static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = SluiceCluster.start(dataDir);
        admin = cluster.admin();
    }

    @AfterAll
    static void stopBroker() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
            admin = null;
        }
    }
}
