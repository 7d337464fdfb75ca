package io.sluice.server.zk;

import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Producer id blocks against a real (embedded) ZooKeeper. */
class ZkProducerIdManagerTest {

    @TempDir
    Path dir;

    @Test
    void aBlockClaimThatCompletesOnTheCallingThreadStillHandsOutIds() throws Exception {
        try (EmbeddedZooKeeper server = new EmbeddedZooKeeper(dir.resolve("zk"));
             CuratorFramework zk = ZkClients.connect(server.connectString(), 10_000, 10_000)) {
            // A direct executor finishes the claim before nextProducerId returns: the case that once
            // handed the caller a null future (UNKNOWN_SERVER_ERROR for the first idempotent producer).
            ZkProducerIdManager ids = new ZkProducerIdManager(0, zk, Runnable::run);
            assertEquals(0L, ids.nextProducerId().get(10, TimeUnit.SECONDS));
            assertEquals(1L, ids.nextProducerId().get(10, TimeUnit.SECONDS));
            ZkProducerIdManager second = new ZkProducerIdManager(1, zk, Runnable::run);
            assertEquals(1000L, second.nextProducerId().get(10, TimeUnit.SECONDS), "the next block");
        }
    }
}
