package io.sluice.compat;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The broker's command line, as {@code bin/sluice-server-start.sh} runs it, given a setting that asks for
 * something Sluice does not do yet: it must not start (a TLS listener bound as plaintext, an authorizer that
 * allows everything), and it must say which key to remove. Tried as a new user would: an {@code SSL://} listener
 * used to serve plaintext Metadata to kcat without a word.
 */
class UnbuiltFeaturesTest {

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "listeners|SSL://127.0.0.1:0",
            "listeners|SASL_PLAINTEXT://127.0.0.1:0",
            "listeners|SASL_SSL://127.0.0.1:0",
            "authorizer.class.name|org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "security.inter.broker.protocol|SSL",
            "zookeeper.set.acl|true",
            "max.connections.per.ip|10",
    })
    void startupStopsNamingTheKey(String key, String value) {
        assumeFalse(SluiceCluster.againstApacheKafka(), "Sluice's command line; Kafka serves these");
        List<String> args = new ArrayList<>(List.of("--override", "broker.id=0",
                "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                "--override", "log.dirs=" + dataDir.resolve("logs"),
                "--override", key + "=" + value));
        ExternalProcess.Result result = ExternalProcess.run(
                ChildProcess.javaCommand("io.sluice.server.SluiceServer", args.toArray(String[]::new)), null,
                Duration.ofSeconds(60));
        assertEquals(1, result.exitCode(), "the broker must not start; it printed:\n" + result.stdout() + result.stderr());
        String said = result.stdout() + result.stderr();
        assertTrue(said.contains("Invalid configuration") && said.contains(key), "names the key " + key + ":\n" + said);
        assertTrue(!said.contains("listening on"), "nothing was bound:\n" + said);
    }
}
