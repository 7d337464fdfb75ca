package io.sluice.wire;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The seed corpus of {@link FrameFuzzTest#decodeAndParse}: one valid frame for every API key at every
 * version kafka-clients knows, a few bodies with topics and a record batch, streams of several frames
 * cut into several writes, and the hostile frames the decoder and parser must refuse.
 *
 * <p>The files are checked in under {@link #CORPUS}; {@link FrameFuzzSeedsTest} fails when they no
 * longer match what this class generates (for instance after a kafka-clients upgrade added versions).
 * Regenerate them with
 * {@code mvn -o -pl wire test -Dtest=FrameFuzzSeedsTest -Dsluice.fuzz.writeSeeds=true}.
 *
 * <p>Each seed is a byte stream followed by the few control bytes the fuzz test reads from the end
 * through its {@code FuzzedDataProvider}: see {@link #encode}.
 */
final class FrameFuzzSeeds {

    /** Jazzer's convention: {@code <TestClass>Inputs/<testMethod>/} beside the test class, recursively. */
    static final Path CORPUS = Path.of("src/test/resources/io/sluice/wire/FrameFuzzTestInputs/decodeAndParse");

    /** The largest number of writes a stream is cut into; the fuzz test reads it back in the same range. */
    static final int MAX_WRITES = 8;

    /** Cut points are read as two bytes each, so streams longer than this are only cut in their first 64 KiB. */
    static final int MAX_CUT = 0xFFFF;

    private static final int CORRELATION_ID = 7;
    private static final String CLIENT_ID = "fuzz-seed";
    // Fixed so that the record batch, and with it its CRC and the seed file, is the same on every run.
    private static final long TIMESTAMP = 1_700_000_000_000L;

    private FrameFuzzSeeds() {
    }

    /** Seed file name to seed bytes, in file-name order. */
    static SortedMap<String, byte[]> generate() {
        SortedMap<String, byte[]> seeds = new TreeMap<>();
        for (ApiKeys key : ApiKeys.values()) {
            if (!key.hasValidVersion()) {
                // APIs that 4.x removed (LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown)
                // keep their id: a v0 header with an empty body exercises the path where even the
                // header version cannot be determined.
                seeds.put(name(key, (short) 0) + "-removed", encode(removedApiFrame(key)));
                continue;
            }
            for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
                seeds.put(name(key, v), encode(frame(key, v, defaultBody(key))));
            }
        }
        for (short v = ApiKeys.PRODUCE.oldestVersion(); v <= ApiKeys.PRODUCE.latestVersion(); v++) {
            seeds.put(name(ApiKeys.PRODUCE, v) + "-records", encode(frame(ApiKeys.PRODUCE, v, produce(v))));
        }
        for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(); v++) {
            seeds.put(name(ApiKeys.FETCH, v) + "-topics", encode(frame(ApiKeys.FETCH, v, fetch(v))));
        }
        for (short v = ApiKeys.METADATA.oldestVersion(); v <= ApiKeys.METADATA.latestVersion(); v++) {
            seeds.put(name(ApiKeys.METADATA, v) + "-topics", encode(frame(ApiKeys.METADATA, v, metadata(v))));
        }
        addStreams(seeds);
        addHostileFrames(seeds);
        return seeds;
    }

    /** Writes {@link #generate()} into {@code dir}, removing seeds this class no longer generates. */
    static void write(Path dir) throws IOException {
        SortedMap<String, byte[]> seeds = generate();
        Files.createDirectories(dir);
        try (var existing = Files.list(dir)) {
            for (Path file : (Iterable<Path>) existing::iterator) {
                // Crash reproducers that Jazzer saved here stay: they are regression inputs too.
                if (!seeds.containsKey(file.getFileName().toString()) && !isFinding(file)) {
                    Files.delete(file);
                }
            }
        }
        for (var seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }

    static boolean isFinding(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith("crash-") || name.startsWith("timeout-") || name.startsWith("oom-")
                || name.startsWith("slow-unit-") || name.startsWith("leak-");
    }

    /**
     * The control bytes the fuzz test reads from the end of its input, in its order: the number of
     * writes (one byte), then each cut point (two bytes, most significant first as read), all
     * consumed backwards from the end, the rest of the input being the stream.
     */
    static byte[] encode(byte[] stream, int... cuts) {
        if (cuts.length >= MAX_WRITES) {
            throw new IllegalArgumentException("at most " + (MAX_WRITES - 1) + " cuts");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(stream);
        // Read backwards: the count first, then cut 0, cut 1, ...; so cut 0 sits just before the count.
        for (int i = cuts.length - 1; i >= 0; i--) {
            if (cuts[i] < 0 || cuts[i] > MAX_CUT) {
                throw new IllegalArgumentException("cut " + cuts[i]);
            }
            out.write(cuts[i] & 0xFF);
            out.write(cuts[i] >>> 8);
        }
        out.write(cuts.length);
        return out.toByteArray();
    }

    /** 4-byte size, request header at the version the API and version imply, body. */
    static byte[] frame(ApiKeys key, short version, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(CORRELATION_ID).setClientId(CLIENT_ID);
        return frame(header, key.requestHeaderVersion(version), body, version);
    }

    private static byte[] frame(RequestHeaderData header, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + (body == null ? 0 : body.size(cache, version));
        ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        if (body != null) {
            body.write(accessor, cache, version);
        }
        return buffer.array();
    }

    private static ApiMessage defaultBody(ApiKeys key) {
        if (key == ApiKeys.DESCRIBE_ACLS) {
            // The default filter has resource type, operation and permission type UNKNOWN (0), which
            // DescribeAclsRequest refuses; ANY (1) is the broadest valid filter.
            return new DescribeAclsRequestData().setResourceTypeFilter((byte) 1).setOperation((byte) 1)
                    .setPermissionType((byte) 1);
        }
        return key.messageType.newRequest();
    }

    private static byte[] removedApiFrame(ApiKeys key) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion((short) 0)
                .setCorrelationId(CORRELATION_ID).setClientId(CLIENT_ID);
        return frame(header, (short) 1, null, (short) 0);
    }

    private static ProduceRequestData produce(short version) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(TIMESTAMP, bytes("key-0"), bytes("value-0")),
                new SimpleRecord(TIMESTAMP + 1, null, bytes("value-1")));
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records)));
        // Produce v13 (KIP-516) names topics by id only.
        if (version >= 13) {
            topic.setTopicId(topicId());
        } else {
            topic.setName("orders");
        }
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(topic);
        return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000).setTopicData(topics);
    }

    private static FetchRequestData fetch(short version) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(42).setPartitionMaxBytes(1 << 20),
                new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(0).setPartitionMaxBytes(1 << 20)));
        // Fetch v13 (KIP-516) names topics by id only.
        if (version >= 13) {
            topic.setTopicId(topicId());
        } else {
            topic.setTopic("orders");
        }
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1).setMaxBytes(50 << 20)
                .setTopics(List.of(topic));
    }

    private static MetadataRequestData metadata(short version) {
        List<MetadataRequestData.MetadataRequestTopic> topics = new ArrayList<>();
        topics.add(new MetadataRequestData.MetadataRequestTopic().setName("orders"));
        topics.add(new MetadataRequestData.MetadataRequestTopic().setName("payments"));
        MetadataRequestData data = new MetadataRequestData().setTopics(topics);
        if (version >= 4) {
            data.setAllowAutoTopicCreation(false);
        }
        return data;
    }

    /** Several frames in one stream, cut inside the size prefix, inside a header and inside a body. */
    private static void addStreams(SortedMap<String, byte[]> seeds) {
        byte[] apiVersions = frame(ApiKeys.API_VERSIONS, (short) 3,
                new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1"));
        byte[] metadata = frame(ApiKeys.METADATA, (short) 12, metadata((short) 12));
        byte[] produce = frame(ApiKeys.PRODUCE, (short) 11, produce((short) 11));
        byte[] stream = concat(apiVersions, metadata, produce);
        int second = apiVersions.length;
        int third = second + metadata.length;
        seeds.put("stream-3-frames-1-write", encode(stream));
        seeds.put("stream-3-frames-4-writes", encode(stream, 2, second + 7, third + 30));
        seeds.put("stream-3-frames-byte-by-byte-start", encode(stream, 1, 2, 3, 4, 5, 6, 7));
        // A frame followed by the start of one that never completes: the rest is freed on close.
        seeds.put("stream-truncated-second-frame", encode(concat(apiVersions, slice(metadata, 0, 11))));
    }

    /** Frames that lie about their size or their contents. */
    private static void addHostileFrames(SortedMap<String, byte[]> seeds) {
        seeds.put("size-max-int", encode(concat(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array(), new byte[16])));
        seeds.put("size-negative", encode(ByteBuffer.allocate(4).putInt(-5).array()));
        seeds.put("size-below-header", encode(concat(ByteBuffer.allocate(4).putInt(3).array(), new byte[3])));
        seeds.put("size-above-max-frame", encode(ByteBuffer.allocate(4).putInt(FrameFuzzTest.MAX_FRAME + 1).array()));
        seeds.put("size-larger-than-stream", encode(concat(ByteBuffer.allocate(4).putInt(1000).array(), new byte[40])));
        seeds.put("unknown-api-key", encode(rawFrame(ByteBuffer.allocate(10).putShort((short) 9999).putShort((short) 0)
                .putInt(CORRELATION_ID).putShort((short) -1).array())));
        RequestHeaderData future = new RequestHeaderData().setRequestApiKey(ApiKeys.API_VERSIONS.id)
                .setRequestApiVersion(Short.MAX_VALUE).setCorrelationId(CORRELATION_ID).setClientId(CLIENT_ID);
        seeds.put("api-versions-future-version", encode(frame(future, (short) 2, null, (short) 0)));
        seeds.put("client-id-longer-than-frame", encode(rawFrame(ByteBuffer.allocate(12).putShort(ApiKeys.METADATA.id)
                .putShort((short) 4).putInt(CORRELATION_ID).putShort(Short.MAX_VALUE).put((byte) 'x').put((byte) 'y').array())));
        // Read by kafka-clients, refused by its writer: the fuzz test's one round-trip exception.
        byte[] apiVersionsHeader = headerOnly(ApiKeys.API_VERSIONS, (short) 3);
        seeds.put("api-versions-v03-unknown-tags-descending", encode(rawFrame(concat(apiVersionsHeader,
                new byte[] {2, 'x', 2, '1', 2, 5, 1, 'a', 3, 0}))));
        // A NaN quota value: generated equals compares float64 with !=, so the data is not equal to itself.
        seeds.put("alter-client-quotas-v01-nan", encode(frame(ApiKeys.ALTER_CLIENT_QUOTAS, (short) 1,
                new AlterClientQuotasRequestData().setEntries(List.of(new AlterClientQuotasRequestData.EntryData()
                        .setEntity(List.of(new AlterClientQuotasRequestData.EntityData().setEntityType("client-id")
                                .setEntityName("fuzz")))
                        .setOps(List.of(new AlterClientQuotasRequestData.OpData().setKey("producer_byte_rate")
                                .setValue(Double.NaN))))))));
        seeds.put(HUGE_ARRAY_INT32, encode(hugeArrayInt32()));
        seeds.put(HUGE_ARRAY_COMPACT, encode(hugeArrayCompact()));
    }

    static final String HUGE_ARRAY_INT32 = "huge-array-claim-int32";
    static final String HUGE_ARRAY_COMPACT = "huge-array-claim-compact";

    /** Metadata v4 (non-flexible): the topics array claims 2^31-1 elements, then the frame ends. */
    static byte[] hugeArrayInt32() {
        byte[] header = headerOnly(ApiKeys.METADATA, (short) 4);
        return rawFrame(concat(header, ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array()));
    }

    /**
     * Metadata v12 (flexible): the compact topics array's unsigned varint is 2^31, which is
     * 2^31-1 elements once the null marker offset is taken off.
     */
    static byte[] hugeArrayCompact() {
        byte[] header = headerOnly(ApiKeys.METADATA, (short) 12);
        byte[] varint = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        return rawFrame(concat(header, varint));
    }

    private static byte[] headerOnly(ApiKeys key, short version) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(CORRELATION_ID).setClientId(CLIENT_ID);
        byte[] framed = frame(header, key.requestHeaderVersion(version), null, version);
        return slice(framed, 4, framed.length);
    }

    private static byte[] rawFrame(byte[] body) {
        return concat(ByteBuffer.allocate(4).putInt(body.length).array(), body);
    }

    private static String name(ApiKeys key, short version) {
        return String.format(Locale.ROOT, "%s-v%02d", key.name().toLowerCase(Locale.ROOT).replace('_', '-'), version);
    }

    private static Uuid topicId() {
        return new Uuid(0x5eed_0000_0000_0001L, 0x5eed_0000_0000_0002L);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] slice(byte[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
