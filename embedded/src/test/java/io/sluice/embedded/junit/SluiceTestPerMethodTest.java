package io.sluice.embedded.junit;

import io.sluice.embedded.EmbeddedSluice;
import io.sluice.embedded.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** PER_METHOD: every test gets fresh brokers, so none sees another's topics; each is stopped and deleted after. */
@SluiceTest(lifecycle = SluiceTest.Lifecycle.PER_METHOD, topics = "fresh")
class SluiceTestPerMethodTest {

    private static final List<Path> dataDirs = new ArrayList<>();
    private String bootstrap;

    @BeforeEach
    void brokersRunBeforeEachTest(@BootstrapServers String bootstrapServers, EmbeddedSluice sluice) {
        bootstrap = bootstrapServers;
        dataDirs.add(sluice.dataDir());
    }

    @RepeatedTest(2)
    void eachTestStartsWithOnlyTheDeclaredTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertEquals(Set.of("fresh"), admin.listTopics().names().get());
        }
        TestClients.produce(bootstrap, "left-behind", List.of("x"));
    }

    @AfterAll
    static void everyBrokerWasStoppedAndItsDataRemoved() {
        assertEquals(2, dataDirs.size());
        dataDirs.forEach(dir -> assertFalse(Files.exists(dir), dir + " removed"));
        assertNull(System.getProperty("spring.kafka.bootstrap-servers"), "the Spring property is restored");
    }
}
