package io.sluice.compat;

import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
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
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the broker advertises in ApiVersions, compared with what Apache Kafka 4.3's broker advertises
 * for the same API (kafka-clients' {@code ApiKeys.toApiVersionForApiResponse}, unstable versions off,
 * as {@code unstable.api.versions.enable=false}). An API Sluice does not serve is simply absent; an
 * API it serves has Kafka's exact range, so clients pick the same versions against both.
 */
class ApiVersionsTest {

    @TempDir
    static Path dataDir;
    static SluiceCluster cluster;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = SluiceCluster.start(dataDir);
    }

    @AfterAll
    static void stopBroker() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyAdvertisedRangeIsKafka43s() throws Exception {
        ApiVersionsResponse response;
        try (RawConnection connection = new RawConnection(cluster.port())) {
            response = connection.apiVersions();
        }
        assertEquals(Errors.NONE.code(), response.data().errorCode());
        List<String> differences = new ArrayList<>();
        for (ApiVersion advertised : response.data().apiKeys()) {
            if (!ApiKeys.hasId(advertised.apiKey())) {
                differences.add("api key " + advertised.apiKey() + " is not a Kafka API");
                continue;
            }
            ApiKeys api = ApiKeys.forId(advertised.apiKey());
            Optional<ApiVersion> kafka = api.toApiVersionForApiResponse(false, ApiMessageType.ListenerType.BROKER);
            if (kafka.isEmpty()) {
                differences.add(api + " is advertised; a Kafka 4.3 broker does not advertise it");
            } else if (kafka.get().minVersion() != advertised.minVersion() || kafka.get().maxVersion() != advertised.maxVersion()) {
                differences.add(api + " " + advertised.minVersion() + "-" + advertised.maxVersion() + ", Kafka 4.3: "
                        + kafka.get().minVersion() + "-" + kafka.get().maxVersion());
            }
        }
        assertEquals(List.of(), differences);
    }

    @Test
    void theApisEveryClientNeedsAreServed() throws Exception {
        ApiVersionsResponse response;
        try (RawConnection connection = new RawConnection(cluster.port())) {
            response = connection.apiVersions();
        }
        for (ApiKeys api : List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE, ApiKeys.FETCH,
                ApiKeys.LIST_OFFSETS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS,
                ApiKeys.CREATE_PARTITIONS, ApiKeys.DESCRIBE_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                ApiKeys.DELETE_RECORDS, ApiKeys.DESCRIBE_CLUSTER)) {
            assertTrue(response.apiVersion(api.id) != null, api + " is advertised");
        }
    }
}
