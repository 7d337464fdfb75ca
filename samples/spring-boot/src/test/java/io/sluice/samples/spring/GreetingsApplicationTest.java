package io.sluice.samples.spring;

import io.sluice.embedded.junit.BootstrapServers;
import io.sluice.embedded.junit.SluiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.support.SendResult;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A test as written for spring-kafka's {@code @EmbeddedKafka(topics = "greetings")}, with {@code @SluiceTest} in its
 * place and nothing else changed: Spring Boot's auto-configuration finds the brokers through
 * {@code spring.kafka.bootstrap-servers}.
 */
@SpringBootTest
@SluiceTest(topics = Greetings.TOPIC)
class GreetingsApplicationTest {

    @Autowired
    private Greetings greetings;

    @Value("${spring.kafka.bootstrap-servers}")
    private String springBootstrapServers;

    @Test
    void aKafkaTemplateSendsWhatTheKafkaListenerReceives(@BootstrapServers String bootstrap) throws Exception {
        assertEquals(bootstrap, springBootstrapServers, "Spring's Kafka clients use the Sluice brokers");
        SendResult<String, String> sent = greetings.greet("sluice").get(30, TimeUnit.SECONDS);
        assertEquals(Greetings.TOPIC, sent.getRecordMetadata().topic());
        greetings.greet("kafka").get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (greetings.received().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of("hello sluice", "hello kafka"), greetings.received());
    }

    @Test
    void theEmbeddedKafkaPropertyIsSetToo(@BootstrapServers String bootstrap) {
        assertEquals(bootstrap, System.getProperty("spring.embedded.kafka.brokers"));
        assertTrue(bootstrap.startsWith("127.0.0.1:"));
    }
}
