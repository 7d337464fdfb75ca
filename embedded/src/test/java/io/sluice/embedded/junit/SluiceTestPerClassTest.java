package io.sluice.embedded.junit;

import io.sluice.embedded.EmbeddedSluice;
import io.sluice.embedded.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The default lifecycle: one cluster for the class, its topics created before the first test. */
@SluiceTest(brokers = 2, topics = {"greetings:2", "plain"}, properties = "log.retention.hours=1")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SluiceTestPerClassTest {

    private static String bootstrapAtBeforeAll;
    private static EmbeddedSluice shared;

    @BeforeAll
    static void brokersRunBeforeBeforeAll(@BootstrapServers String bootstrap, EmbeddedSluice sluice) {
        bootstrapAtBeforeAll = bootstrap;
        shared = sluice;
    }

    @Test
    @Order(1)
    void theTopicsExistAndTheSpringPropertiesPointAtTheBrokers(@BootstrapServers String bootstrap) throws Exception {
        assertEquals(bootstrapAtBeforeAll, bootstrap);
        assertEquals(2, bootstrap.split(",").length);
        assertEquals(bootstrap, System.getProperty("spring.kafka.bootstrap-servers"));
        assertEquals(bootstrap, System.getProperty("spring.embedded.kafka.brokers"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var topics = admin.describeTopics(List.of("greetings", "plain")).allTopicNames().get();
            assertEquals(2, topics.get("greetings").partitions().size());
            assertEquals(1, topics.get("plain").partitions().size(), "partitions() is the default count");
        }
        TestClients.produce(bootstrap, "greetings", List.of("hello"));
    }

    @Test
    @Order(2)
    void laterTestsOfTheClassShareTheBrokersAndTheirData(EmbeddedSluice sluice) {
        assertSame(shared, sluice);
        assertEquals(List.of("hello"), TestClients.consume(sluice.bootstrapServers(), "greetings", 1));
    }

    @Nested
    class NestedTests {
        @Test
        void shareTheEnclosingClassesBrokers(EmbeddedSluice sluice) {
            assertSame(shared, sluice);
        }
    }
}
