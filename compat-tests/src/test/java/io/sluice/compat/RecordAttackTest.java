package io.sluice.compat;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Produce requests whose record batches lie: about their length, their record count, the varints inside
 * their records, or inside their compressed payload. Each is answered with the partition error Apache
 * Kafka 4.3 gives (run with {@code -Dcompat.broker=kafka} to check), nothing is appended, and the broker
 * keeps serving a producer afterwards.
 */
class RecordAttackTest extends SharedBrokerTest {

    private static final int CRC_OFFSET = 17;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int LAST_OFFSET_DELTA_OFFSET = 23;
    private static final int RECORDS_COUNT_OFFSET = 57;

    static String healthTopic;

    @AfterEach
    void brokerStillServesAProducer() throws Exception {
        if (healthTopic == null) {
            healthTopic = Clients.uniqueTopic("health");
            Clients.createTopic(admin, healthTopic, 1);
        }
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrap())) {
            producer.send(new ProducerRecord<>(healthTopic, "k", "still serving")).get(30, TimeUnit.SECONDS);
        }
    }

    private static ByteBuffer batch(Compression compression, int records) {
        SimpleRecord[] simple = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            simple[i] = new SimpleRecord(("key-" + i).getBytes(StandardCharsets.UTF_8),
                    ("value-" + i + "-" + "v".repeat(200)).getBytes(StandardCharsets.UTF_8));
        }
        ByteBuffer buffer = MemoryRecords.withRecords(compression, simple).buffer();
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer).flip();
        return copy;
    }

    /** Recomputes the CRC32C over attributes..end, so that the lie is found by validation, not by the CRC. */
    private static ByteBuffer withValidCrc(ByteBuffer batch) {
        long crc = Crc32C.compute(batch, ATTRIBUTES_OFFSET, batch.limit() - ATTRIBUTES_OFFSET);
        batch.putInt(CRC_OFFSET, (int) crc);
        return batch;
    }

    /**
     * Produces {@code lie} to a new topic; returns the partition's error and checks nothing was appended. The client
     * library refuses to serialize some lies, so the request is built around {@code honest} (a valid batch of the same
     * size) and the lie written over it in the serialized frame.
     */
    private Errors produce(ByteBuffer honest, ByteBuffer lie) throws Exception {
        String topic = Clients.uniqueTopic("attack");
        Clients.createTopic(admin, topic, 1);
        Errors error;
        try (RawConnection connection = new RawConnection(cluster.port())) {
            short version = (short) Math.min(12, connection.maxVersion(ApiKeys.PRODUCE));
            ProduceRequestData data = RawConnection.produceData(topic, MemoryRecords.readableRecords(honest.duplicate()));
            RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "record-attack", connection.nextCorrelationId());
            ByteBuffer serialized = ProduceRequest.builder(data).build(version).serializeWithHeader(header);
            byte[] payload = new byte[serialized.remaining()];
            serialized.get(payload);
            int at = indexOf(payload, honest);
            byte[] lieBytes = new byte[lie.remaining()];
            lie.duplicate().get(lieBytes);
            System.arraycopy(lieBytes, 0, payload, at, lieBytes.length);
            connection.writeFrame(payload);
            error = RawConnection.partitionError(
                    (ProduceResponse) AbstractResponse.parseResponse(connection.readFrame(), header));
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        assertEquals(0L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
                .get(30, TimeUnit.SECONDS).offset(), "a refused batch left records in " + tp);
        return error;
    }

    /** Produces {@code batch}, derived in place from a valid batch of the same size that the client would send. */
    private Errors produceModified(ByteBuffer original, java.util.function.Consumer<ByteBuffer> lie) throws Exception {
        ByteBuffer modified = ByteBuffer.allocate(original.remaining());
        modified.put(original.duplicate()).flip();
        lie.accept(modified);
        return produce(original, modified);
    }

    private static int indexOf(byte[] haystack, ByteBuffer needle) {
        byte[] bytes = new byte[needle.remaining()];
        needle.duplicate().get(bytes);
        outer:
        for (int i = 0; i + bytes.length <= haystack.length; i++) {
            for (int j = 0; j < bytes.length; j++) {
                if (haystack[i + j] != bytes[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("the batch is not in the serialized request");
    }

    /**
     * What a batch whose records cannot be read gets. Apache Kafka 4.3 lets the decoder's exception escape and answers
     * UNKNOWN_SERVER_ERROR (which also logs a stack trace per request); Sluice answers INVALID_RECORD, the error Kafka
     * gives for other malformed records: the CRC matched, so these are the bytes the client meant, and a retry cannot
     * help (CORRUPT_MESSAGE would make the Java producer retry until its delivery timeout).
     */
    private static Errors unreadableRecords() {
        return SluiceCluster.againstApacheKafka() ? Errors.UNKNOWN_SERVER_ERROR : Errors.INVALID_RECORD;
    }

    @Test
    void aBatchLengthLongerThanTheBytesSentIsInvalid() throws Exception {
        // as Kafka: no whole batch was sent, and a produce request must carry one per partition
        assertEquals(Errors.INVALID_RECORD, produceModified(batch(Compression.NONE, 3),
                batch -> batch.putInt(8, batch.getInt(8) + 100)));
    }

    @Test
    void aBatchLengthShorterThanTheBytesSentIsRefused() throws Exception {
        assertEquals(Errors.CORRUPT_MESSAGE, produceModified(batch(Compression.NONE, 3),
                batch -> batch.putInt(8, batch.getInt(8) - 40)));
    }

    @Test
    void aNegativeBatchLengthIsCorrupt() throws Exception {
        assertEquals(Errors.CORRUPT_MESSAGE, produceModified(batch(Compression.NONE, 3), batch -> batch.putInt(8, -1)));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class)
    void aRecordCountLargerThanTheRecordsIsInvalid(CompressionType codec) throws Exception {
        assertEquals(Errors.INVALID_RECORD, produceModified(batch(Compression.of(codec).build(), 3), batch -> {
            batch.putInt(RECORDS_COUNT_OFFSET, 1000);
            batch.putInt(LAST_OFFSET_DELTA_OFFSET, 999);
            withValidCrc(batch);
        }));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class)
    void aRecordCountSmallerThanTheRecordsIsInvalid(CompressionType codec) throws Exception {
        assertEquals(Errors.INVALID_RECORD, produceModified(batch(Compression.of(codec).build(), 3), batch -> {
            batch.putInt(RECORDS_COUNT_OFFSET, 2);
            batch.putInt(LAST_OFFSET_DELTA_OFFSET, 1);
            withValidCrc(batch);
        }));
    }

    @Test
    void aRecordCountDisagreeingWithTheOffsetRangeIsInvalid() throws Exception {
        assertEquals(Errors.INVALID_RECORD, produceModified(batch(Compression.NONE, 3), batch -> {
            batch.putInt(RECORDS_COUNT_OFFSET, Integer.MAX_VALUE);
            withValidCrc(batch);
        }));
    }

    @Test
    void anOverlongVarintAsARecordLengthIsCorrupt() throws Exception {
        assertEquals(unreadableRecords(), produceModified(batch(Compression.NONE, 3), batch -> {
            for (int i = 0; i < 6; i++) {
                batch.put(DefaultRecordBatch.RECORD_BATCH_OVERHEAD + i, (byte) 0xff);
            }
            withValidCrc(batch);
        }));
    }

    @Test
    void aRecordLengthClaimingAGigabyteIsCorrupt() throws Exception {
        // zig-zag varint of 2^30: 0x80 0x80 0x80 0x80 0x08
        byte[] huge = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        assertEquals(Errors.INVALID_RECORD, produceModified(batch(Compression.NONE, 3), batch -> {
            batch.put(DefaultRecordBatch.RECORD_BATCH_OVERHEAD, huge);
            withValidCrc(batch);
        }));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void garbageInsideACompressedPayloadIsCorrupt(CompressionType codec) throws Exception {
        Random random = new Random(codec.id);
        assertEquals(unreadableRecords(), produceModified(batch(Compression.of(codec).build(), 20), batch -> {
            for (int i = DefaultRecordBatch.RECORD_BATCH_OVERHEAD + 16; i < batch.limit(); i++) {
                batch.put(i, (byte) random.nextInt());
            }
            withValidCrc(batch);
        }));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aTruncatedCompressedPayloadIsCorrupt(CompressionType codec) throws Exception {
        ByteBuffer whole = batch(Compression.of(codec).build(), 20);
        int cut = DefaultRecordBatch.RECORD_BATCH_OVERHEAD + (whole.limit() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD) / 2;
        ByteBuffer batch = ByteBuffer.allocate(cut);
        batch.put(whole.duplicate().limit(cut)).flip();
        batch.putInt(8, cut - 12);
        withValidCrc(batch);
        assertEquals(unreadableRecords(), produce(batch, withValidCrc(batch)));
    }
}
