package io.sluice.compat;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's {@code VerifiableProducer} and {@code VerifiableConsumer} (kafka-tools 4.3), each in its own JVM, as
 * Kafka's {@code replication_test.py} runs them beside its faults, and what their JSON lines say: which records the
 * producer got acknowledged (partition, offset, value) and which the consumer read.
 *
 * <p>Not thread-safe: a test drives both from its own thread; the stdout pumps of {@link ChildProcess} run apart.
 */
final class VerifiableClients implements AutoCloseable {

    private static final Duration HARD_TIMEOUT = Duration.ofMinutes(40);

    /** One record at its place in a partition. */
    record Placed(int partition, long offset, String value) {
    }

    private final ChildProcess producer;
    private final ChildProcess consumer;
    private final Output produced = new Output("producer_send_success");
    private final Output consumed = new Output("record_data");

    /**
     * Starts an idempotent acks=all producer sending {@code throughput} records a second round robin to the partitions
     * of {@code topic} (values are increasing integers) and a consumer reading it from the beginning in group {@code group}.
     */
    VerifiableClients(Path dir, String bootstrap, String topic, String group, int throughput) {
        Path producerConfig = dir.resolve("verifiable-producer.properties");
        try {
            // the tool's own default is retries=0, which an idempotent producer refuses; round robin, so that every
            // partition gets records all the time (the sticky partitioner stays on one for a whole batch.size)
            Files.writeString(producerConfig, String.join("\n", "enable.idempotence=true", "acks=all",
                    "retries=2147483647", "delivery.timeout.ms=300000", "request.timeout.ms=15000", "linger.ms=5",
                    "partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        producer = ChildProcess.java("verifiable-producer", HARD_TIMEOUT, "org.apache.kafka.tools.VerifiableProducer",
                "--bootstrap-server", bootstrap, "--topic", topic, "--max-messages", "-1", "--throughput",
                Integer.toString(throughput), "--acks", "-1", "--command-config", producerConfig.toString());
        consumer = ChildProcess.java("verifiable-consumer", HARD_TIMEOUT, "org.apache.kafka.tools.VerifiableConsumer",
                "--bootstrap-server", bootstrap, "--topic", topic, "--group-id", group, "--reset-policy", "earliest",
                "--verbose");
    }

    /** Records acknowledged to the producer so far in {@code partition}. */
    int acknowledged(int partition) {
        return produced.refresh(producer).getOrDefault(partition, List.of()).size();
    }

    /**
     * Stops the producer with SIGTERM, waits until the
     * consumer read up to the last acknowledged offset of every partition, stops it too, and returns the acknowledged
     * records by partition. Fails if a send failed.
     */
    Map<Integer, List<Placed>> finish(Duration consumeTimeout) {
        // 143: the JVM ran its shutdown hooks on SIGTERM and exited as signalled
        int exit = producer.terminate(Duration.ofMinutes(5));
        assertTrue(exit == 0 || exit == 143, "exit code " + exit + " of " + producer.describe());
        // What the shutdown hook's close() acknowledged may not make it out of a JVM exiting on SIGTERM: those records
        // count as not acknowledged, which only leaves them out of the checks
        Map<Integer, List<Placed>> acked = produced.refresh(producer);
        List<String> errors = producer.lines().stream().filter(l -> l.contains("\"producer_send_error\"")).toList();
        assertTrue(errors.isEmpty(), errors.size() + " sends failed, first " + (errors.isEmpty() ? "" : errors.get(0)));
        Map<Integer, Long> lastAcked = new HashMap<>();
        acked.forEach((p, records) -> lastAcked.put(p, records.stream().mapToLong(Placed::offset).max().orElse(-1)));
        Clients.waitUntil("the consumer read every acknowledged record", consumeTimeout, () -> {
            Map<Integer, List<Placed>> read = consumed.refresh(consumer);
            return lastAcked.entrySet().stream().allMatch(e -> read.getOrDefault(e.getKey(), List.of()).stream()
                    .anyMatch(r -> r.offset() >= e.getValue()));
        });
        consumer.terminate(Duration.ofMinutes(2));
        return acked;
    }

    /** Every record the consumer read, by partition, in the order read (a rebalance may deliver a record twice). */
    Map<Integer, List<Placed>> consumed() {
        return consumed.refresh(consumer);
    }

    String describe() {
        return producer.describe() + "\n" + consumer.describe();
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }

    /** The events of one name in a child's stdout, parsed as they come. */
    private static final class Output {
        private final String event;
        private final Map<Integer, List<Placed>> byPartition = new TreeMap<>();
        private int linesRead;

        Output(String event) {
            this.event = event;
        }

        Map<Integer, List<Placed>> refresh(ChildProcess child) {
            List<String> lines = child.lines();
            for (; linesRead < lines.size(); linesRead++) {
                String line = lines.get(linesRead);
                if (!line.startsWith("{") || !line.contains("\"" + event + "\"")) {
                    continue;
                }
                try {
                    JsonNode json = PythonScripts.JSON.readTree(line);
                    byPartition.computeIfAbsent(json.get("partition").asInt(), p -> new ArrayList<>()).add(new Placed(
                            json.get("partition").asInt(), json.get("offset").asLong(), json.get("value").asText()));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON line: " + line, e);
                }
            }
            Map<Integer, List<Placed>> copy = new HashMap<>();
            byPartition.forEach((p, records) -> copy.put(p, List.copyOf(records)));
            return copy;
        }
    }
}
