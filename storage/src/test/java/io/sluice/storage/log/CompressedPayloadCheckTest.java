package io.sluice.storage.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.ByteUtils;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snappy payloads as kafka-clients writes them pass; framing that lies about sizes does not. */
class CompressedPayloadCheckTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);

    private static MemoryRecords snappy(byte[]... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(null, values[i]);
        }
        return MemoryRecords.withRecords(Compression.snappy().build(), records);
    }

    private static void check(MemoryRecords records) {
        RecordBatch batch = records.batches().iterator().next();
        CompressedPayloadCheck.check(records.buffer(), batch, TP);
    }

    @Test
    void batchesTheJavaClientWritesPass() {
        Random random = new Random(7);
        byte[] incompressible = new byte[300_000];
        random.nextBytes(incompressible);
        // zeros compress at snappy's best ratio; many chunks of 32 KB each
        assertDoesNotThrow(() -> check(snappy(new byte[1 << 20], incompressible, "small".getBytes())));
        assertDoesNotThrow(() -> check(snappy(new byte[1])));
    }

    /** Replaces the compressed payload of a valid batch with {@code payload}. */
    private static MemoryRecords withPayload(ByteBuffer payload) {
        ByteBuffer template = snappy(new byte[1]).buffer();
        ByteBuffer batch = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD + payload.remaining());
        batch.put(template.duplicate().limit(DefaultRecordBatch.RECORD_BATCH_OVERHEAD)).put(payload).flip();
        batch.putInt(8, batch.limit() - 12);
        return MemoryRecords.readableRecords(batch);
    }

    private static ByteBuffer xerialHeader(int extra) {
        ByteBuffer payload = ByteBuffer.allocate(16 + extra);
        payload.put(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}).putInt(1).putInt(1);
        return payload;
    }

    @Test
    void aChunkLongerThanWhatFollowsIsInvalid() {
        ByteBuffer payload = xerialHeader(4 + 10);
        payload.putInt(500 << 20).position(payload.limit()).flip();
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> check(withPayload(payload)));
        assertTrue(e.getMessage().contains("claims 524288000 bytes"), e.getMessage());
    }

    @Test
    void anUncompressedLengthBeyondWhatSnappyCanEncodeIsInvalid() {
        ByteBuffer payload = xerialHeader(4 + 200);
        payload.putInt(200);
        ByteUtils.writeUnsignedVarint((512 << 20) - 1, payload);
        payload.position(payload.limit()).flip();
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> check(withPayload(payload)));
        assertTrue(e.getMessage().contains("claims to expand to"), e.getMessage());
    }

    @Test
    void aRawBlockWithoutFramingIsCheckedToo() {
        ByteBuffer payload = ByteBuffer.allocate(100);
        ByteUtils.writeUnsignedVarint(1 << 29, payload);
        payload.position(payload.limit()).flip();
        assertThrows(InvalidRecordException.class, () -> check(withPayload(payload)));
    }

    @Test
    void aCutOffChunkHeaderIsInvalid() {
        ByteBuffer payload = xerialHeader(2);
        payload.position(payload.limit()).flip();
        assertThrows(InvalidRecordException.class, () -> check(withPayload(payload)));
    }
}
