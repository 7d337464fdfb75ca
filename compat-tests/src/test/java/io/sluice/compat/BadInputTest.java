package io.sluice.compat;


import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Crc32C;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

import org.junit.jupiter.api.AfterEach;

import org.junit.jupiter.api.Test;


import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Bytes no client sends, over a raw socket. Each gets Kafka's answer (a closed connection or an error
 * code), and afterwards the broker still serves a producer on another connection.
 */
class BadInputTest extends SharedBrokerTest {

    static String healthTopic;

    /** After every bad input: a new connection gets ApiVersions, and a producer still works. */
    @AfterEach
    void brokerStillServesOtherClients() throws Exception {
        try (RawConnection fresh = new RawConnection(cluster.port())) {
            assertEquals(Errors.NONE.code(), fresh.apiVersions().data().errorCode());
        }
        if (healthTopic == null) {
            healthTopic = Clients.uniqueTopic("health");
            Clients.createTopic(admin, healthTopic, 1);
        }
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            producer.send(new ProducerRecord<>(healthTopic, "k", "still serving")).get(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] requestHeaderV1(int apiKey, int apiVersion, int correlationId) {
        byte[] clientId = "raw".getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length)
                .putShort((short) apiKey).putShort((short) apiVersion).putInt(correlationId)
                .putShort((short) clientId.length).put(clientId).array();
    }

    @Test
    void garbageFrameClosesTheConnection() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            byte[] garbage = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            // read as a frame: "GET " is a size of 1,195,725,856 bytes, over socket.request.max.bytes
            connection.writeRaw(garbage);
            connection.assertClosedByBroker("an HTTP request");
        }
        try (RawConnection connection = new RawConnection(cluster.port())) {
            connection.writeFrame(new byte[] {0x7a, 0x11, (byte) 0xff, 0x00, 0x42, 0x13, 0x37, (byte) 0x80, 0x01, 0x02, 0x03, 0x04});
            connection.assertClosedByBroker("a frame of random bytes");
        }
    }

    @Test
    void hugeLengthPrefixClosesTheConnection() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            connection.writeRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 18, 0, 3});
            connection.assertClosedByBroker("a size prefix of 0x7fffffff (over socket.request.max.bytes)");
        }
        try (RawConnection connection = new RawConnection(cluster.port())) {
            connection.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe});
            connection.assertClosedByBroker("a negative size prefix");
        }
    }

    @Test
    void truncatedHeaderClosesTheConnection() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            // a whole frame holding only the api key and half of the api version
            connection.writeFrame(new byte[] {0, 18, 0});
            connection.assertClosedByBroker("a 3-byte request header");
        }
        try (RawConnection connection = new RawConnection(cluster.port())) {
            // api key, version and correlation id, then a client id length of 100 with 2 bytes of it
            byte[] header = ByteBuffer.allocate(12).putShort((short) 18).putShort((short) 2).putInt(7)
                    .putShort((short) 100).put((byte) 'a').put((byte) 'b').array();
            connection.writeFrame(header);
            connection.assertClosedByBroker("a client id longer than the frame");
        }
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            // Kafka fails to parse the header of an unknown key and closes the connection (SocketServer)
            connection.writeFrame(requestHeaderV1(9999, 0, connection.nextCorrelationId()));
            connection.assertClosedByBroker("api key 9999");
        }
    }

    @Test
    void unsupportedVersionOfAnotherApiClosesTheConnection() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            // Metadata v999: not ApiVersions, so Kafka does not answer; it closes the connection
            connection.writeFrame(requestHeaderV1(ApiKeys.METADATA.id, 999, connection.nextCorrelationId()));
            connection.assertClosedByBroker("Metadata v999");
        }
    }

    @Test
    void apiVersionsV999GetsUnsupportedVersionInTheV0Layout() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            int correlationId = connection.nextCorrelationId();
            // header v2 (ApiVersions v3+ is flexible): key, version, correlation id, client id, no tagged fields;
            // body as v3: client software name and version (compact strings), no tagged fields
            ByteBuffer request = ByteBuffer.allocate(64)
                    .putShort(ApiKeys.API_VERSIONS.id).putShort((short) 999).putInt(correlationId)
                    .putShort((short) 3).put("raw".getBytes(StandardCharsets.UTF_8)).put((byte) 0)
                    .put((byte) 4).put("raw".getBytes(StandardCharsets.UTF_8))
                    .put((byte) 4).put("1.0".getBytes(StandardCharsets.UTF_8)).put((byte) 0);
            request.flip();
            byte[] payload = new byte[request.remaining()];
            request.get(payload);
            connection.writeFrame(payload);

            // KIP-511: a v0 response (response header v0, no throttle time, no tagged fields), error 35,
            // and the one range the client needs to retry: ApiVersions' own
            ByteBuffer response = connection.readFrame();
            assertEquals(correlationId, response.getInt(), "correlation id");
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), response.getShort(), "error code");
            int entries = response.getInt();
            assertEquals(1, entries, "Kafka lists only ApiVersions' range in this answer");
            assertEquals(ApiKeys.API_VERSIONS.id, response.getShort(), "api key");
            assertEquals(0, response.getShort(), "min version");
            assertEquals(ApiKeys.API_VERSIONS.latestVersion(), response.getShort(), "max version");
            assertEquals(0, response.remaining(), "nothing after the v0 body");

            // and the connection stays usable: the client retries with a version in the range
            ApiVersionsResponse retried = connection.apiVersions();
            assertEquals(Errors.NONE.code(), retried.data().errorCode());
            ApiVersion apiVersions = retried.apiVersion(ApiKeys.API_VERSIONS.id);
            assertNotNull(apiVersions);
            assertEquals(ApiKeys.API_VERSIONS.latestVersion(), apiVersions.maxVersion());
        }
    }

    @Test
    void aHalfSentFrameDoesNotBlockOtherClients() throws Exception {
        try (RawConnection stalled = new RawConnection(cluster.port())) {
            // 100 bytes announced, 6 sent: Kafka waits for the rest (until connections.max.idle.ms)
            stalled.writeRaw(new byte[] {0, 0, 0, 100, 0, 18, 0, 3, 0, 0});
            try (RawConnection other = new RawConnection(cluster.port())) {
                assertEquals(Errors.NONE.code(), other.apiVersions().data().errorCode());
            }
            try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
                if (healthTopic == null) {
                    healthTopic = Clients.uniqueTopic("health");
                    Clients.createTopic(admin, healthTopic, 1);
                }
                producer.send(new ProducerRecord<>(healthTopic, "k", "while another connection is stalled")).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void trailingBytesAfterARequestBodyAreIgnored() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            // Metadata v12 for no topic, then 5 bytes no schema has: Kafka reads the body it knows and answers
            short version = (short) Math.min(12, connection.maxVersion(ApiKeys.METADATA));
            RequestHeader header = new RequestHeader(ApiKeys.METADATA, version, "raw", connection.nextCorrelationId());
            ByteBuffer request = new MetadataRequest.Builder(new MetadataRequestData().setTopics(List.of())
                    .setAllowAutoTopicCreation(false)).build(version).serializeWithHeader(header);
            byte[] payload = new byte[request.remaining() + 5];
            request.get(payload, 0, request.remaining());
            connection.writeFrame(payload);
            MetadataResponse response = (MetadataResponse) AbstractResponse.parseResponse(connection.readFrame(), header);
            assertEquals(List.of(cluster.brokerId()), response.brokers().stream().map(Node::id).toList());
        }
    }

    @Test
    void produceWithACorruptedBatchCrcGetsCorruptMessage() throws Exception {
        String topic = Clients.uniqueTopic("corrupt");
        Clients.createTopic(admin, topic, 1);
        try (RawConnection connection = new RawConnection(cluster.port())) {
            // Produce v13 names topics by id; v12 and below by name, which this test can write by hand
            short version = (short) Math.min(12, connection.maxVersion(ApiKeys.PRODUCE));
            MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord("k1".getBytes(StandardCharsets.UTF_8), "v1".getBytes(StandardCharsets.UTF_8)),
                    new SimpleRecord("k2".getBytes(StandardCharsets.UTF_8), "v2".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer batch = records.buffer();
            // the CRC (at byte 17) covers everything from the attributes (byte 21) on: flip the last byte
            int last = batch.limit() - 1;
            batch.put(last, (byte) (batch.get(last) ^ 0xff));
            assertFalse(records.batches().iterator().next().isValid(), "the batch is corrupted");

            ProduceRequestData data = RawConnection.produceData(topic, records);
            ProduceResponse response = connection.send(ProduceRequest.builder(data).build(version), ProduceResponse.class);

            List<ProduceResponseData.PartitionProduceResponse> partitions =
                    response.data().responses().iterator().next().partitionResponses();
            assertEquals(1, partitions.size());
            assertEquals(Errors.CORRUPT_MESSAGE.code(), partitions.get(0).errorCode(),
                    "partition error: " + Errors.forCode(partitions.get(0).errorCode()));
        }
        // nothing was appended
        TopicPartition tp = new TopicPartition(topic, 0);
        assertEquals(0L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset());
    }

    /**
     * Field values found by {@code BrokerFuzzTest}: kafka-clients' accessors throw IllegalArgumentException for them,
     * which Apache Kafka 4.3 answers with UNKNOWN_SERVER_ERROR (and an ERROR log line per request); Sluice answers
     * INVALID_REQUEST, or INVALID_RECORD for the batch.
     */
    private static Errors unknownFieldValue(Errors sluice) {
        return SluiceCluster.againstApacheKafka() ? Errors.UNKNOWN_SERVER_ERROR : sluice;
    }

    @Test
    void fetchWithAnUnknownIsolationLevelIsAnInvalidRequest() throws Exception {
        String topic = Clients.uniqueTopic("isolation");
        Clients.createTopic(admin, topic, 1);
        try (RawConnection connection = new RawConnection(cluster.port())) {
            FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic().setTopic(topic);
            fetchTopic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setPartitionMaxBytes(1024));
            FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                    .setMaxBytes(1024).setIsolationLevel((byte) 7);
            data.topics().add(fetchTopic);
            FetchResponse response = connection.send(ApiKeys.FETCH, (short) 12, data, FetchResponse.class);
            assertEquals(unknownFieldValue(Errors.INVALID_REQUEST), response.error());
        }
    }

    @Test
    void listOffsetsWithAnUnknownIsolationLevelIsAnInvalidRequest() throws Exception {
        String topic = Clients.uniqueTopic("isolation");
        Clients.createTopic(admin, topic, 1);
        try (RawConnection connection = new RawConnection(cluster.port())) {
            ListOffsetsRequestData.ListOffsetsTopic listTopic = new ListOffsetsRequestData.ListOffsetsTopic().setName(topic);
            listTopic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1));
            ListOffsetsRequestData data = new ListOffsetsRequestData().setReplicaId(-1).setIsolationLevel((byte) -1);
            data.topics().add(listTopic);
            ListOffsetsResponse response = connection.send(ApiKeys.LIST_OFFSETS, (short) 7, data, ListOffsetsResponse.class);
            short error = response.data().topics().get(0).partitions().get(0).errorCode();
            assertEquals(unknownFieldValue(Errors.INVALID_REQUEST), Errors.forCode(error));
        }
    }

    @Test
    void produceOfABatchWithAnUnknownCompressionCodecIsAnInvalidRecord() throws Exception {
        String topic = Clients.uniqueTopic("codec");
        Clients.createTopic(admin, topic, 1);
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer batch = records.buffer();
        // v3: the version at which kafka-clients reads the codec to refuse zstd. Codec id 7 in the attributes' low bits, with the CRC recomputed so that only the codec is wrong
        batch.putShort(21, (short) 7);
        batch.putInt(17, (int) Crc32C.compute(batch, 21, batch.limit() - 21));
        try (RawConnection connection = new RawConnection(cluster.port())) {
            ProduceRequestData data = RawConnection.produceData(topic, records);
            ProduceResponse response = connection.send(ApiKeys.PRODUCE, (short) 3, data, ProduceResponse.class);
            assertEquals(unknownFieldValue(Errors.INVALID_RECORD), RawConnection.partitionError(response));
        }
    }

    @Test
    void metadataForATopicWithNeitherNameNorIdIsAnInvalidRequest() throws Exception {
        try (RawConnection connection = new RawConnection(cluster.port())) {
            MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
            data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(null));
            MetadataResponse response = connection.send(ApiKeys.METADATA, (short) 12, data, MetadataResponse.class);
            assertEquals(unknownFieldValue(Errors.INVALID_REQUEST),
                    Errors.forCode(response.data().topics().iterator().next().errorCode()));
        }
    }
}
