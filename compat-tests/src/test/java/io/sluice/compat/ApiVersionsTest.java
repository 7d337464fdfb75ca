package io.sluice.compat;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What the broker advertises in ApiVersions. The whole table (API ranges and features) is pinned to
 * {@code compat-tests/api-versions.txt}, so that a kafka-clients upgrade or a new handler shows up there in
 * review instead of silently advertising versions nobody built; and a running Apache Kafka 4.3 broker's table
 * is compared with it, each difference explained in that file.
 */
class ApiVersionsTest {

    @TempDir
    static Path dataDir;
    static SluiceCluster cluster;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = SluiceCluster.start(dataDir.resolve("broker"));
    }

    @AfterAll
    static void stopBroker() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theAdvertisedTableIsThePinnedOne() throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "the pinned table is Sluice's");
        List<String> advertised = ApiVersionsFile.render(apiVersions(cluster.port()).data());
        assertEquals(String.join("\n", ApiVersionsFile.read().table), String.join("\n", advertised),
                "ApiVersions differs from " + ApiVersionsFile.PATH + ": update the file in the same change, and"
                        + " explain any new difference from Kafka 4.3 there");
    }

    @Test
    void everyDifferenceFromApacheKafka43IsExplained(@TempDir Path kafkaDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "compares Sluice's pinned table with Kafka's");
        ApiVersionsFile file = ApiVersionsFile.read();
        List<String> kafkaTable;
        try (KafkaReferenceBroker kafka = new KafkaReferenceBroker(kafkaDir)) {
            kafka.startup();
            kafkaTable = ApiVersionsFile.render(apiVersions(kafka.port()).data());
        }
        List<String> differences = ApiVersionsFile.differences(file.table, kafkaTable);
        List<String> unexplained = new ArrayList<>(differences);
        unexplained.removeAll(file.explained.keySet());
        List<String> stale = new ArrayList<>(file.explained.keySet());
        stale.removeAll(differences);
        assertEquals(List.of(), unexplained, "differences from Kafka 4.3 not explained in " + ApiVersionsFile.PATH
                + " (add 'kafka <difference> : <why>' lines, or fix them)");
        assertEquals(List.of(), stale, "explanations in " + ApiVersionsFile.PATH + " of differences that are gone");
    }

    @Test
    void theApisEveryClientNeedsAreServed() throws Exception {
        ApiVersionsResponse response = apiVersions(cluster.port());
        for (ApiKeys api : List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE, ApiKeys.FETCH,
                ApiKeys.LIST_OFFSETS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS,
                ApiKeys.CREATE_PARTITIONS, ApiKeys.DESCRIBE_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                ApiKeys.DELETE_RECORDS, ApiKeys.DESCRIBE_CLUSTER)) {
            assertTrue(response.apiVersion(api.id) != null, api + " is advertised");
        }
    }

    private static ApiVersionsResponse apiVersions(int port) throws Exception {
        try (RawConnection connection = new RawConnection(port)) {
            ApiVersionsResponse response = connection.apiVersions();
            assertEquals(Errors.NONE.code(), response.data().errorCode());
            return response;
        }
    }
}
