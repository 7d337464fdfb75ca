package io.sluice.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedSluiceTest {

    private static final List<String> VALUES = IntStream.range(0, 50).mapToObj(i -> "value-" + i).toList();

    @Test
    void aBrokerWithATopicTakesAcksAllWritesAndGivesThemToAConsumerGroup() throws Exception {
        Path dataDir;
        try (EmbeddedSluice sluice = EmbeddedSluice.builder().topic("orders", 3).start()) {
            dataDir = sluice.dataDir();
            try (Admin admin = admin(sluice)) {
                TopicDescription orders = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
                assertEquals(3, orders.partitions().size());
            }
            TestClients.produce(sluice.bootstrapServers(), "orders", VALUES);
            assertEquals(Set.copyOf(VALUES), Set.copyOf(TestClients.consume(sluice.bootstrapServers(), "orders", 50)));
            assertTrue(Files.isDirectory(dataDir.resolve("broker-0").resolve("logs").resolve("orders-0")));
        }
        assertFalse(Files.exists(dataDir), "the temporary data directory is removed on close");
    }

    @Test
    void severalBrokersFormOneClusterOnOneZooKeeper() throws Exception {
        try (EmbeddedSluice sluice = EmbeddedSluice.builder().brokers(3).topic("spread", 6).start();
             Admin admin = admin(sluice)) {
            assertEquals(3, sluice.bootstrapServers().split(",").length);
            Collection<Node> nodes = admin.describeCluster().nodes().get();
            assertEquals(Set.of(0, 1, 2), nodes.stream().map(Node::id).collect(Collectors.toSet()));
            List<TopicPartitionInfo> partitions = admin.describeTopics(List.of("spread")).allTopicNames().get()
                    .get("spread").partitions();
            Set<Integer> leaders = new HashSet<>();
            partitions.forEach(partition -> leaders.add(partition.leader().id()));
            assertEquals(Set.of(0, 1, 2), leaders, "partitions are led by every broker");
            TestClients.produce(sluice.bootstrapServers(), "spread", VALUES);
            assertEquals(Set.copyOf(VALUES), Set.copyOf(TestClients.consume(sluice.bootstrapServers(), "spread", 50)));
        }
    }

    @Test
    void fixedPortsAndAKeptDataDirectoryOnRequest(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path dataDir = dir.resolve("sluice");
        try (EmbeddedSluice sluice = EmbeddedSluice.builder().ports(port).dataDir(dataDir)
                .property("num.partitions", "4").start()) {
            assertEquals("127.0.0.1:" + port, sluice.bootstrapServers());
            TestClients.produce(sluice.bootstrapServers(), "auto-created", List.of("one"));
            try (Admin admin = admin(sluice)) {
                assertEquals(4, admin.describeTopics(List.of("auto-created")).allTopicNames().get()
                        .get("auto-created").partitions().size(), "num.partitions given to the builder applies");
            }
        }
        assertTrue(Files.isDirectory(dataDir.resolve("broker-0").resolve("logs")), "a caller's directory is kept");
        try (EmbeddedSluice again = EmbeddedSluice.builder().dataDir(dataDir).start()) {
            assertEquals(List.of("one"), TestClients.consume(again.bootstrapServers(), "auto-created", 1),
                    "a restart on the kept directory finds the data");
        }
    }

    @Test
    void aBadConfigStopsTheStartNamingTheKeyAndLeavesNothingRunning() {
        IllegalArgumentException noBrokers = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedSluice.builder().brokers(0));
        assertTrue(noBrokers.getMessage().contains("brokers"));
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> EmbeddedSluice.builder().property("authorizer.class.name", "x.Y").start());
        assertTrue(refused.getMessage().contains("authorizer.class.name"), refused.getMessage());
    }

    private static Admin admin(EmbeddedSluice sluice) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sluice.bootstrapServers()));
    }
}
