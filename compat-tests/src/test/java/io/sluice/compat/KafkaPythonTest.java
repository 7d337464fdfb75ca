package io.sluice.compat;





import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;



/**
 * kafka-python (Debian's python3-kafka) with its defaults, against one broker: it picks its protocol
 * versions from the broker's ApiVersions answer, so this also checks what Sluice advertises.
 */
class KafkaPythonTest extends SharedBrokerTest {

    // snappy and lz4 need python libraries Debian's python3-kafka does not depend on
    @ParameterizedTest(name = "compression_type={0}")
    @ValueSource(strings = {"none", "gzip"})
    void producerAndAssignConsumer(String compression) throws Exception {
        ExternalProcess.requirePythonModule("kafka", "python3-kafka");
        String topic = Clients.uniqueTopic("kafka-python-" + compression);
        Clients.createTopic(admin, topic, 1);
        PythonScripts.assertRoundTrip("kafka_python_roundtrip.py", cluster.bootstrap(), topic, compression, 30);
    }
}
