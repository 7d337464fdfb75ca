package io.sluice.compat;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.ByteUtils;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Compressed batches that try to make the broker allocate what they claim or inflate what they hold: a
 * snappy batch of a few hundred bytes whose framing claims half a gigabyte, and zstd and gzip batches under
 * {@code message.max.bytes} that expand to hundreds of megabytes. The broker runs in its own JVM with a
 * 512 MB heap; it answers each, never runs out of memory, and its resident memory stays bounded.
 */
class CompressionBombTest {

    @TempDir
    static Path dataDir;
    static BrokerProcess broker;
    static Admin admin;
    static String health;

    @BeforeAll
    static void start() throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "measures Sluice's own process");
        broker = BrokerProcess.start(dataDir);
        admin = Admin.create(Clients.adminProps(broker.bootstrap()));
        health = Clients.uniqueTopic("health");
        Clients.createTopic(admin, health, 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            assertFalse(broker.output().contains("OutOfMemoryError"), broker.output());
            broker.close();
        }
    }

    @Test
    void aSnappyChunkClaimingHalfAGigabyteIsRefusedWithoutAllocatingIt() throws Exception {
        // snappy-java's framing: magic, version 1, compatible version 1, then [int chunk size][chunk]
        ByteBuffer payload = ByteBuffer.allocate(16 + 4 + 200);
        payload.put(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}).putInt(1).putInt(1);
        payload.putInt(200);
        // the raw block's preamble: an uncompressed length of 512 MB - 1, then 195 bytes of nothing
        ByteUtils.writeUnsignedVarint((512 << 20) - 1, payload);
        payload.position(payload.limit()).flip();
        assertBounded("snappy length lie", () -> assertEquals(Errors.INVALID_RECORD, produce(Compression.snappy().build(), payload)));

        ByteBuffer chunkLie = ByteBuffer.allocate(16 + 4 + 100);
        chunkLie.put(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}).putInt(1).putInt(1);
        chunkLie.putInt(500 << 20);
        chunkLie.position(chunkLie.limit()).flip();
        assertBounded("snappy chunk size lie", () -> assertEquals(Errors.INVALID_RECORD, produce(Compression.snappy().build(), chunkLie)));
    }

    @Test
    void aZstdBombIsStreamedNotInflated() throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream zstd = new ZstdOutputStream(compressed)) {
            writeRecordWithHugeKey(zstd, 1 << 30);
        }
        assertTrue(compressed.size() < 1_000_000, "the bomb is under message.max.bytes: " + compressed.size());
        ByteBuffer payload = ByteBuffer.wrap(compressed.toByteArray());
        assertBounded("zstd bomb of 1 GB", () -> assertEquals(Errors.NONE, produce(Compression.zstd().build(), payload)));
    }

    @Test
    void aGzipBombIsStreamedNotInflated() throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(compressed, 1 << 16)) {
            writeRecordWithHugeKey(gzip, 512 << 20);
        }
        assertTrue(compressed.size() < 1_000_000, "the bomb is under message.max.bytes: " + compressed.size());
        ByteBuffer payload = ByteBuffer.wrap(compressed.toByteArray());
        assertBounded("gzip bomb of 512 MB", () -> assertEquals(Errors.NONE, produce(Compression.gzip().build(), payload)));
    }

    /** One record (offset delta 0) whose key is {@code keySize} zero bytes and whose value is null. */
    private static void writeRecordWithHugeKey(OutputStream out, int keySize) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(32);
        prefix.put((byte) 0); // attributes
        ByteUtils.writeVarlong(0, prefix); // timestamp delta
        ByteUtils.writeVarint(0, prefix); // offset delta
        ByteUtils.writeVarint(keySize, prefix);
        int prefixLength = prefix.position();
        ByteBuffer suffix = ByteBuffer.allocate(8);
        ByteUtils.writeVarint(-1, suffix); // null value
        ByteUtils.writeVarint(0, suffix); // no headers
        int suffixLength = suffix.position();
        ByteBuffer size = ByteBuffer.allocate(8);
        ByteUtils.writeVarint(prefixLength + keySize + suffixLength, size);
        out.write(size.array(), 0, size.position());
        out.write(prefix.array(), 0, prefixLength);
        byte[] zeros = new byte[1 << 20];
        for (long written = 0; written < keySize; written += zeros.length) {
            out.write(zeros, 0, (int) Math.min(zeros.length, keySize - written));
        }
        out.write(suffix.array(), 0, suffixLength);
    }

    /** Produces one record's batch with its compressed payload replaced by {@code payload}; returns the error. */
    private static Errors produce(Compression compression, ByteBuffer payload) throws Exception {
        String topic = Clients.uniqueTopic("bomb");
        Clients.createTopic(admin, topic, 1);
        ByteBuffer template = MemoryRecords.withRecords(compression, new SimpleRecord(null, new byte[1])).buffer();
        ByteBuffer batch = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD + payload.remaining());
        batch.put(template.duplicate().limit(DefaultRecordBatch.RECORD_BATCH_OVERHEAD)).put(payload.duplicate()).flip();
        batch.putInt(8, batch.limit() - 12);
        batch.putInt(17, (int) Crc32C.compute(batch, 21, batch.limit() - 21));
        Errors error;
        try (RawConnection connection = new RawConnection(broker.port())) {
            short version = (short) Math.min(12, connection.maxVersion(ApiKeys.PRODUCE));
            ProduceRequestData data = RawConnection.produceData(topic, MemoryRecords.readableRecords(batch));
            error = RawConnection.partitionError(
                    connection.send(ProduceRequest.builder(data).build(version), ProduceResponse.class));
        }
        if (error != Errors.NONE) {
            TopicPartition tp = new TopicPartition(topic, 0);
            assertEquals(0L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
                    .get(30, TimeUnit.SECONDS).offset(), "a refused batch left records in " + tp);
        }
        return error;
    }

    private interface Attack {
        void run() throws Exception;
    }

    /** Runs {@code attack}, then checks the broker's RSS grew by less than 160 MB and a producer still works. */
    private static void assertBounded(String name, Attack attack) throws Exception {
        long before = broker.residentBytes();
        attack.run();
        long growth = broker.residentBytes() - before;
        System.out.printf("CompressionBombTest: %s: broker RSS grew by %d MB%n", name, growth >> 20);
        assertTrue(growth < 160L << 20, name + " grew the broker's RSS by " + (growth >> 20) + " MB");
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            producer.send(new ProducerRecord<>(health, "k", "still serving")).get(30, TimeUnit.SECONDS);
        }
    }
}
