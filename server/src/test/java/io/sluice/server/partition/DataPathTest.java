package io.sluice.server.partition;

import io.sluice.server.api.CloseConnectionException;
import io.sluice.storage.LogConfig;
import io.sluice.wire.FileRegionRecords;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Produce, Fetch, ListOffsets and DeleteRecords handlers over a real ReplicaManager and LogManager on disk. */
class DataPathTest {

    @TempDir
    Path dir;
    DataPathContext ctx;
    Uuid topicId;

    @BeforeEach
    void setUp() throws Exception {
        ctx = new DataPathContext(dir);
        topicId = ctx.createTopic("t", 2, DataPathContext.BROKER_ID, 0);
    }

    @AfterEach
    void tearDown() {
        ctx.close();
    }

    // ---------------------------------------------------------------- produce

    @Test
    void produceAssignsOffsetsAndFetchReturnsTheRecords() throws Exception {
        ProduceResponseData.PartitionProduceResponse first = produce("t", 0, (short) 1, "a", "b");
        assertEquals(Errors.NONE.code(), first.errorCode());
        assertEquals(0, first.baseOffset());
        ProduceResponseData.PartitionProduceResponse second = produce("t", 0, (short) -1, "c");
        assertEquals(Errors.NONE.code(), second.errorCode());
        assertEquals(2, second.baseOffset());

        FetchResponseData.PartitionData data = fetchOne(fetchRequest("t", 0, 0L, 0, (short) 12));
        assertEquals(Errors.NONE.code(), data.errorCode());
        assertEquals(3, data.highWatermark());
        assertEquals(3, data.lastStableOffset());
        assertInstanceOf(FileRegionRecords.class, data.records());
        assertEquals(List.of("a", "b", "c"), values(data));
    }

    @Test
    void produceWithTopicIdsV13() throws Exception {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30000);
        request.topicData().add(new ProduceRequestData.TopicProduceData().setTopicId(topicId)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(1).setRecords(records("x")))));
        request.topicData().add(new ProduceRequestData.TopicProduceData().setTopicId(Uuid.randomUuid())
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("y")))));
        ProduceResponseData response = (ProduceResponseData) ctx.produce.handle(
                DataPathContext.context(ApiKeys.PRODUCE, (short) 13), ProduceRequest.builder(request).build((short) 13)).get(10, TimeUnit.SECONDS);
        List<ProduceResponseData.TopicProduceResponse> topics = new ArrayList<>(response.responses());
        assertEquals(Errors.NONE.code(), topics.get(0).partitionResponses().get(0).errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), topics.get(1).partitionResponses().get(0).errorCode());
    }

    @Test
    void producePerPartitionErrors() throws Exception {
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), produce("nope", 0, (short) 1, "a").errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), produce("t", 7, (short) 1, "a").errorCode());
        ProduceResponseData.PartitionProduceResponse badAcks = produce("t", 0, (short) 2, "a");
        assertEquals(Errors.INVALID_REQUIRED_ACKS.code(), badAcks.errorCode());
        assertEquals(-1, badAcks.baseOffset());
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), produceTo("__consumer_offsets", "a"));

        ctx.createTopic("t", 2, 1, 1); // leadership moved to broker 1
        ProduceResponseData.PartitionProduceResponse notLeader = produce("t", 0, (short) 1, "a");
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), notLeader.errorCode());
        assertEquals(1, notLeader.currentLeader().leaderId());
        assertEquals(1, notLeader.currentLeader().leaderEpoch());
    }

    /** As Kafka's map of partitions: a partition named twice is appended once, the later entry winning, and answered once. */
    @Test
    void aPartitionNamedTwiceIsAppendedAndAnsweredOnce() throws Exception {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30000);
        request.topicData().add(new ProduceRequestData.TopicProduceData().setName("t").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("first")),
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("second", "third")))));
        ProduceResponseData response = (ProduceResponseData) ctx.produce.handle(
                DataPathContext.context(ApiKeys.PRODUCE, (short) 12), ProduceRequest.builder(request).build((short) 12))
                .get(10, TimeUnit.SECONDS);
        List<ProduceResponseData.PartitionProduceResponse> answers = response.responses().iterator().next().partitionResponses();
        assertEquals(1, answers.size());
        assertEquals(Errors.NONE.code(), answers.get(0).errorCode());
        assertEquals(0, answers.get(0).baseOffset());
        assertEquals(2, produce("t", 0, (short) 1, "next").baseOffset(), "only the two records of the later entry");

        // a later entry that is invalid wins too: nothing appended, one answer with its error
        ProduceRequestData invalid = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30000);
        invalid.topicData().add(new ProduceRequestData.TopicProduceData().setName("t").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("fine")),
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(null))));
        ProduceResponseData refused = (ProduceResponseData) ctx.produce.handle(
                DataPathContext.context(ApiKeys.PRODUCE, (short) 12), ProduceRequest.builder(invalid).build((short) 12))
                .get(10, TimeUnit.SECONDS);
        List<ProduceResponseData.PartitionProduceResponse> one = refused.responses().iterator().next().partitionResponses();
        assertEquals(1, one.size());
        assertEquals(Errors.INVALID_RECORD.code(), one.get(0).errorCode());
        assertEquals(3, produce("t", 0, (short) 1, "after").baseOffset(), "the refused request appended nothing");
    }

    private short produceTo(String internalTopic, String value) throws Exception {
        ctx.createTopic(internalTopic, 1, DataPathContext.BROKER_ID, 0);
        return produce(internalTopic, 0, (short) 1, value).errorCode();
    }

    @Test
    void acksZeroSendsNoResponseAndClosesOnError() throws Exception {
        assertNull(ctx.produce.handle(DataPathContext.context(ApiKeys.PRODUCE, (short) 9),
                produceRequest("t", 0, (short) 0, "a")).get(10, TimeUnit.SECONDS));
        CompletableFuture<ApiMessage> failed = ctx.produce.handle(DataPathContext.context(ApiKeys.PRODUCE, (short) 9),
                produceRequest("unknown", 0, (short) 0, "a"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
        assertInstanceOf(CloseConnectionException.class, e.getCause());
    }

    @Test
    void transactionalBatchesAreRefused() throws Exception {
        MemoryRecords txn = MemoryRecords.withTransactionalRecords(Compression.NONE, 1000L, (short) 0, 0,
                new SimpleRecord("v".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30000).setTransactionalId("tx");
        request.topicData().add(new ProduceRequestData.TopicProduceData().setName("t")
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(txn))));
        ProduceResponseData response = (ProduceResponseData) ctx.produce.handle(
                DataPathContext.context(ApiKeys.PRODUCE, (short) 9), ProduceRequest.builder(request).build((short) 9)).get();
        assertEquals(Errors.INVALID_TXN_STATE.code(), response.responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    // ---------------------------------------------------------------- fetch

    @Test
    void fetchWaitsForAnAppendAndReturnsIt() throws Exception {
        produce("t", 0, (short) 1, "a");
        CompletableFuture<ApiMessage> waiting = ctx.fetch.handle(DataPathContext.context(ApiKeys.FETCH, (short) 12),
                fetchRequest("t", 0, 1L, 30_000, (short) 12));
        assertFalse(waiting.isDone(), "nothing to read at offset 1: the fetch waits");
        produce("t", 1, (short) 1, "other partition, same fetch? no"); // not in this fetch
        produce("t", 0, (short) 1, "b");
        FetchResponseData response = (FetchResponseData) waiting.get(10, TimeUnit.SECONDS);
        FetchResponseData.PartitionData data = response.responses().get(0).partitions().get(0);
        assertEquals(List.of("b"), values(data));
        assertEquals(2, data.highWatermark());
    }

    @Test
    void fetchExpiresEmptyWhenNothingArrives() throws Exception {
        FetchResponseData.PartitionData data = fetchOne(fetchRequest("t", 0, 0L, 50, (short) 12));
        assertEquals(Errors.NONE.code(), data.errorCode());
        assertEquals(0, FileRegionSize.of(data));
    }

    @Test
    void fetchErrors() throws Exception {
        produce("t", 0, (short) 1, "a");
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), fetchOne(fetchRequest("t", 0, 5L, 0, (short) 12)).errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), fetchOne(fetchRequest("nope", 0, 0L, 0, (short) 12)).errorCode());

        Map<TopicPartition, FetchRequest.PartitionData> unknownId = Map.of(new TopicPartition("ghost", 0),
                new FetchRequest.PartitionData(Uuid.randomUuid(), 0, -1, 1 << 20, Optional.empty()));
        FetchRequest byId = FetchRequest.Builder.forConsumer((short) 13, 0, 1, unknownId)
                .metadata(FetchMetadata.LEGACY).build((short) 13);
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), fetchOne(byId).errorCode());

        Map<TopicPartition, FetchRequest.PartitionData> fenced = Map.of(new TopicPartition("t", 0),
                new FetchRequest.PartitionData(topicId, 0, -1, 1 << 20, Optional.of(5)));
        FetchRequest newerEpoch = FetchRequest.Builder.forConsumer((short) 13, 0, 1, fenced)
                .metadata(FetchMetadata.LEGACY).build((short) 13);
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), fetchOne(newerEpoch).errorCode());

        ctx.createTopic("t", 2, 1, 1);
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), fetchOne(fetchRequest("t", 0, 0L, 0, (short) 12)).errorCode());
    }

    @Test
    void fetchReturnsTheFirstBatchWholeEvenWhenLargerThanMaxBytes() throws Exception {
        String big = "x".repeat(5000);
        produce("t", 0, (short) 1, big);
        produce("t", 0, (short) 1, big);
        Map<TopicPartition, FetchRequest.PartitionData> partitions = Map.of(new TopicPartition("t", 0),
                new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, -1, 100, Optional.empty()));
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 12, 0, 1, partitions).setMaxBytes(100)
                .metadata(FetchMetadata.LEGACY).build((short) 12);
        assertEquals(List.of(big), values(fetchOne(request)));
    }

    @Test
    void incrementalFetchSessions() throws Exception {
        produce("t", 0, (short) 1, "a");
        Map<TopicPartition, FetchRequest.PartitionData> both = new LinkedHashMap<>();
        both.put(new TopicPartition("t", 0), new FetchRequest.PartitionData(topicId, 1, -1, 1 << 20, Optional.empty()));
        both.put(new TopicPartition("t", 1), new FetchRequest.PartitionData(topicId, 0, -1, 1 << 20, Optional.empty()));
        FetchResponseData full = fetch(FetchRequest.Builder.forConsumer((short) 18, 0, 1, both)
                .metadata(FetchMetadata.INITIAL).build((short) 18));
        int sessionId = full.sessionId();
        assertNotEquals(0, sessionId);
        assertEquals(2, full.responses().get(0).partitions().size());

        FetchResponseData nothingNew = fetch(FetchRequest.Builder.forConsumer((short) 18, 0, 1, Map.of())
                .metadata(new FetchMetadata(sessionId, 1)).build((short) 18));
        assertEquals(Errors.NONE.code(), nothingNew.errorCode());
        assertEquals(sessionId, nothingNew.sessionId());
        assertTrue(nothingNew.responses().isEmpty(), "unchanged partitions are left out");

        produce("t", 1, (short) 1, "b");
        FetchResponseData changed = fetch(FetchRequest.Builder.forConsumer((short) 18, 0, 1, Map.of())
                .metadata(new FetchMetadata(sessionId, 2)).build((short) 18));
        assertEquals(1, changed.responses().get(0).partitions().size());
        assertEquals(1, changed.responses().get(0).partitions().get(0).partitionIndex());
        assertEquals(List.of("b"), values(changed.responses().get(0).partitions().get(0)));

        FetchResponseData wrongEpoch = fetch(FetchRequest.Builder.forConsumer((short) 18, 0, 1, Map.of())
                .metadata(new FetchMetadata(sessionId, 7)).build((short) 18));
        assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH.code(), wrongEpoch.errorCode());

        FetchResponseData forgetAll = fetch(FetchRequest.Builder.forConsumer((short) 18, 0, 1, Map.of())
                .removed(List.of(new TopicIdPartition(topicId, 0, "t"), new TopicIdPartition(topicId, 1, "t")))
                .metadata(new FetchMetadata(sessionId, 3)).build((short) 18));
        assertEquals(0, forgetAll.sessionId(), "a session left empty is closed");

        FetchResponseData gone = fetch(FetchRequest.Builder.forConsumer((short) 18, 0, 1, Map.of())
                .metadata(new FetchMetadata(sessionId, 4)).build((short) 18));
        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), gone.errorCode());
    }

    // ---------------------------------------------------------------- list offsets, delete records

    @Test
    void listOffsetsEarliestLatestAndUnknown() throws Exception {
        produce("t", 0, (short) 1, "a", "b", "c");
        assertEquals(0, listOffset("t", 0, ListOffsetsRequest.EARLIEST_TIMESTAMP).offset());
        ListOffsetsResponseData.ListOffsetsPartitionResponse latest = listOffset("t", 0, ListOffsetsRequest.LATEST_TIMESTAMP);
        assertEquals(3, latest.offset());
        assertEquals(0, latest.leaderEpoch());
        ListOffsetsResponseData.ListOffsetsPartitionResponse tiered = listOffset("t", 0, ListOffsetsRequest.LATEST_TIERED_TIMESTAMP);
        assertEquals(-1, tiered.offset());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), listOffset("nope", 0, ListOffsetsRequest.LATEST_TIMESTAMP).errorCode());
    }

    @Test
    void listOffsetsAnswersEveryVersionWithFieldsThatVersionCarries() throws Exception {
        produce("t", 0, (short) 1, "a", "b");
        for (short version = ApiKeys.LIST_OFFSETS.oldestVersion(); version <= ApiKeys.LIST_OFFSETS.latestVersion(); version++) {
            ListOffsetsRequestData.ListOffsetsTopic target = new ListOffsetsRequestData.ListOffsetsTopic().setName("t");
            target.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                    .setTimestamp(ListOffsetsRequest.EARLIEST_TIMESTAMP));
            ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                    .setTargetTimes(List.of(target)).build(version);
            ListOffsetsResponseData response = (ListOffsetsResponseData) ctx.listOffsets.handle(
                    DataPathContext.context(ApiKeys.LIST_OFFSETS, version), request).get(10, TimeUnit.SECONDS);
            // librdkafka asks with v2: a leader epoch (a v4 field) once made this response unserializable.
            short v = version;
            assertDoesNotThrow(() -> org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(response, v),
                    "ListOffsets v" + version);
            assertEquals(0, response.topics().get(0).partitions().get(0).offset());
        }
    }

    @Test
    void deleteRecordsBeyondHighWatermarkIsOutOfRange() throws Exception {
        produce("t", 0, (short) 1, "a", "b", "c");
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), deleteRecords("t", 0, 4).errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), deleteRecords("nope", 0, 1).errorCode());
    }

    // ---------------------------------------------------------------- metadata

    @Test
    void topicDeletionDeletesItsLogs() throws Exception {
        produce("t", 0, (short) 1, "a");
        assertTrue(ctx.replicaManager.partition(new TopicPartition("t", 0)).isPresent());
        ctx.deleteTopic("t");
        assertTrue(ctx.replicaManager.partition(new TopicPartition("t", 0)).isEmpty());
        assertTrue(ctx.logManager.get(new TopicPartition("t", 0)).isEmpty());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), produce("t", 0, (short) 1, "a").errorCode());
    }

    // ---------------------------------------------------------------- helpers

    static MemoryRecords records(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    static ProduceRequest produceRequest(String topic, int partition, short acks, String... values) {
        ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(30000);
        request.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                        .setRecords(records(values)))));
        return ProduceRequest.builder(request).build((short) 12);
    }

    @Test
    void acksAllToAnIsrBelowMinInsyncReplicasIsRefusedBeforeAnythingIsWritten() throws Exception {
        ctx.logConfig = LogConfig.defaults().withMinInSyncReplicas(2);
        // three replicas, the ISR shrunk to the leader: acks=all cannot be promised, acks=1 can (Kafka's rule)
        ctx.createTopic("shrunk", 1, DataPathContext.BROKER_ID, 0, List.of(0, 1, 2), List.of(0));
        assertEquals(Errors.NOT_ENOUGH_REPLICAS.code(), produce("shrunk", 0, (short) -1, "a").errorCode());
        ProduceResponseData.PartitionProduceResponse acksOne = produce("shrunk", 0, (short) 1, "b");
        assertEquals(Errors.NONE.code(), acksOne.errorCode());
        assertEquals(0, acksOne.baseOffset(), "the refused acks=all record was not appended");
        // one replica: min.insync.replicas is capped at the replication factor, as Kafka's effectiveMinIsr
        ctx.createTopic("single", 1, DataPathContext.BROKER_ID, 0, List.of(0), List.of(0));
        assertEquals(Errors.NONE.code(), produce("single", 0, (short) -1, "c").errorCode());
    }

    ProduceResponseData.PartitionProduceResponse produce(String topic, int partition, short acks, String... values)
            throws Exception {
        ProduceResponseData response = (ProduceResponseData) ctx.produce.handle(
                DataPathContext.context(ApiKeys.PRODUCE, (short) 12), produceRequest(topic, partition, acks, values))
                .get(10, TimeUnit.SECONDS);
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    static FetchRequest fetchRequest(String topic, int partition, long offset, int maxWaitMs, short version) {
        Map<TopicPartition, FetchRequest.PartitionData> partitions = Map.of(new TopicPartition(topic, partition),
                new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, -1, 1 << 20, Optional.empty()));
        return FetchRequest.Builder.forConsumer(version, maxWaitMs, 1, partitions)
                .isolationLevel(IsolationLevel.READ_UNCOMMITTED).metadata(FetchMetadata.LEGACY).build(version);
    }

    FetchResponseData fetch(FetchRequest request) throws Exception {
        return (FetchResponseData) ctx.fetch.handle(DataPathContext.context(ApiKeys.FETCH, request.version()), request)
                .get(10, TimeUnit.SECONDS);
    }

    FetchResponseData.PartitionData fetchOne(FetchRequest request) throws Exception {
        return fetch(request).responses().get(0).partitions().get(0);
    }

    ListOffsetsResponseData.ListOffsetsPartitionResponse listOffset(String topic, int partition, long timestamp) throws Exception {
        ListOffsetsRequestData.ListOffsetsTopic target = new ListOffsetsRequestData.ListOffsetsTopic().setName(topic);
        target.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(timestamp));
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(true, IsolationLevel.READ_UNCOMMITTED, true, true, true, true)
                .setTargetTimes(List.of(target)).build((short) 11);
        ListOffsetsResponseData response = (ListOffsetsResponseData) ctx.listOffsets.handle(
                DataPathContext.context(ApiKeys.LIST_OFFSETS, (short) 11), request).get(10, TimeUnit.SECONDS);
        return response.topics().get(0).partitions().get(0);
    }

    DeleteRecordsResponseData.DeleteRecordsPartitionResult deleteRecords(String topic, int partition, long offset) throws Exception {
        DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(30000);
        data.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic).setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(partition).setOffset(offset))));
        DeleteRecordsResponseData response = (DeleteRecordsResponseData) ctx.deleteRecords.handle(
                DataPathContext.context(ApiKeys.DELETE_RECORDS, (short) 2), new DeleteRecordsRequest.Builder(data).build((short) 2))
                .get(10, TimeUnit.SECONDS);
        return response.topics().iterator().next().partitions().iterator().next();
    }

    /** The values of the records a Fetch partition answer points at, read from its file slice. */
    static List<String> values(FetchResponseData.PartitionData data) throws Exception {
        List<String> values = new ArrayList<>();
        if (!(data.records() instanceof FileRegionRecords region)) {
            return values;
        }
        byte[] bytes = new byte[region.sizeInBytes()];
        try (var channel = Files.newByteChannel(region.file().toPath())) {
            channel.position(region.position());
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read the slice
            }
        }
        for (RecordBatch batch : MemoryRecords.readableRecords(java.nio.ByteBuffer.wrap(bytes)).batches()) {
            for (Record record : batch) {
                values.add(new String(Utils.toArray(record.value()), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /** Size of the records of a Fetch partition answer. */
    static final class FileRegionSize {
        static int of(FetchResponseData.PartitionData data) {
            return data.records() == null ? 0 : data.records().sizeInBytes();
        }
    }

}
