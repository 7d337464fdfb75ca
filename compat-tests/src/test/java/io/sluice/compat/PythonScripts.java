package io.sluice.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the round-trip scripts of {@code src/test/resources/python} with Debian's python3 and checks
 * their report: every record acknowledged at its offset and read back with its key, value, header and
 * timestamp, by the Python consumer and by kafka-clients' consumer.
 */
final class PythonScripts {

    static final ObjectMapper JSON = new ObjectMapper();

    private PythonScripts() {
    }

    static String resource(String name) {
        try (InputStream in = PythonScripts.class.getResourceAsStream("/python/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource python/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code script} for a round trip of {@code count} records and checks everything it and a Java consumer saw. */
    static void assertRoundTrip(String script, String bootstrap, String topic, String compression, int count) throws IOException {
        long baseTimestamp = System.currentTimeMillis() - 60_000;
        ExternalProcess.Result result = ExternalProcess.python(resource(script), Duration.ofSeconds(120),
                bootstrap, topic, compression, String.valueOf(count), String.valueOf(baseTimestamp))
                .assertSuccess(script + " " + compression);
        String lastLine = result.stdout().strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode report;
        try {
            report = JSON.readTree(lastLine);
        } catch (IOException e) {
            throw new AssertionError("no JSON report from " + script + "\nstdout:\n" + result.stdout() + "\nstderr:\n" + result.stderr(), e);
        }
        JsonNode acked = report.get("acked");
        JsonNode consumed = report.get("consumed");
        for (int i = 0; i < count; i++) {
            assertEquals(i, acked.get(i).asLong(), "offset acknowledged to the python producer for record " + i);
        }
        if (consumed.size() != count) {
            fail("the python consumer read " + consumed.size() + " of " + count + " records\n" + result.stderr());
        }
        for (int i = 0; i < count; i++) {
            JsonNode record = consumed.get(i);
            String expectedValue = script.startsWith("confluent") ? ("value-" + i + " ").repeat(10) : "value-" + i;
            assertEquals(i, record.get("offset").asLong());
            assertEquals("key-" + i, record.get("key").asText());
            assertEquals(expectedValue, record.get("value").asText());
            assertEquals("[[\"h\",\"hv-" + i + "\"]]", record.get("headers").toString());
            assertEquals(baseTimestamp + i, record.get("timestamp").asLong());
        }

        // What the Python producer wrote reads back identically with kafka-clients.
        List<ConsumerRecord<String, String>> javaRead = Clients.consume(bootstrap, new TopicPartition(topic, 0), 0, count);
        for (int i = 0; i < count; i++) {
            assertEquals("key-" + i, javaRead.get(i).key());
            assertEquals(consumed.get(i).get("value").asText(), javaRead.get(i).value());
            assertEquals(baseTimestamp + i, javaRead.get(i).timestamp());
            assertEquals("hv-" + i, new String(javaRead.get(i).headers().lastHeader("h").value(), StandardCharsets.UTF_8));
        }
    }
}
