package io.sluice.samples.spring;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Sends greetings to the {@code greetings} topic and keeps those its listener receives. Thread-safe. */
@Component
public class Greetings {

    static final String TOPIC = "greetings";

    private final KafkaTemplate<String, String> template;
    private final List<String> received = new CopyOnWriteArrayList<>();

    public Greetings(KafkaTemplate<String, String> template) {
        this.template = template;
    }

    public CompletableFuture<SendResult<String, String>> greet(String name) {
        return template.send(TOPIC, name, "hello " + name);
    }

    @KafkaListener(topics = TOPIC)
    void onGreeting(String greeting) {
        received.add(greeting);
    }

    public List<String> received() {
        return List.copyOf(received);
    }
}
