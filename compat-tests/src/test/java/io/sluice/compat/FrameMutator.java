package io.sluice.compat;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Makes hostile frames for a live broker: valid requests for every API key and version the broker
 * advertises (kafka-clients' default {@code *Data} objects, and populated Produce, Fetch, Metadata,
 * ListOffsets, FindCoordinator and JoinGroup requests naming {@code fuzz-} topics and groups), each then
 * mutated: bit flips, truncations, lying size prefixes (larger, smaller, negative, huge, below a header),
 * int32 fields overwritten with lying array counts and sizes, runs of bad varint bytes, an unknown
 * tagged field, a random API key and version, splices of two requests, or random bytes.
 *
 * <p>Every frame returned carries its own 4-byte size prefix (which may lie). Not thread-safe: one per
 * sending thread.
 */
final class FrameMutator {

    private static final int[] LYING_INTS = {-1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x10000, 0, 1 << 24, -2};

    private final List<byte[]> seeds;
    private final Random random;

    FrameMutator(List<byte[]> seeds, long seed) {
        this.seeds = seeds;
        this.random = new Random(seed);
    }

    /** Request bodies (header included, no size prefix) for every advertised key and version. */
    static List<byte[]> seeds(List<ApiVersion> advertised, String topic) {
        List<byte[]> seeds = new ArrayList<>();
        int correlationId = 0;
        for (ApiVersion range : advertised) {
            if (!ApiKeys.hasId(range.apiKey())) {
                continue;
            }
            ApiKeys key = ApiKeys.forId(range.apiKey());
            for (short version = range.minVersion(); version <= range.maxVersion(); version++) {
                for (Supplier<ApiMessage> data : requests(key, topic)) {
                    byte[] body = serialize(key, version, ++correlationId, data.get());
                    if (body != null) {
                        seeds.add(body);
                    }
                }
            }
        }
        return seeds;
    }

    private static List<Supplier<ApiMessage>> requests(ApiKeys key, String topic) {
        List<Supplier<ApiMessage>> requests = new ArrayList<>();
        requests.add(() -> ApiMessageType.fromApiKey(key.id).newRequest());
        switch (key) {
            case PRODUCE -> requests.add(() -> {
                ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
                ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
                topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE,
                                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "fuzz".getBytes(StandardCharsets.UTF_8)))));
                data.topicData().add(topicData);
                return data;
            });
            case FETCH -> requests.add(() -> {
                FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(10).setMinBytes(1)
                        .setMaxBytes(1 << 16);
                FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic().setTopic(topic);
                fetchTopic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 16));
                data.topics().add(fetchTopic);
                return data;
            });
            case METADATA -> requests.add(() -> {
                MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
                data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
                return data;
            });
            case LIST_OFFSETS -> requests.add(() -> {
                ListOffsetsRequestData data = new ListOffsetsRequestData().setReplicaId(-1);
                ListOffsetsRequestData.ListOffsetsTopic listTopic = new ListOffsetsRequestData.ListOffsetsTopic().setName(topic);
                listTopic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                        .setTimestamp(-1));
                data.topics().add(listTopic);
                return data;
            });
            case FIND_COORDINATOR -> requests.add(() -> new FindCoordinatorRequestData().setKey("fuzz-group"));
            case JOIN_GROUP -> requests.add(() -> {
                JoinGroupRequestData data = new JoinGroupRequestData().setGroupId("fuzz-group").setSessionTimeoutMs(6000)
                        .setRebalanceTimeoutMs(100).setProtocolType("consumer");
                data.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                        .setMetadata(new byte[] {0, 1, 0, 0, 0, 0}));
                return data;
            });
            default -> {
            }
        }
        return requests;
    }

    /** The header and body, or null when the data cannot be written at this version. */
    private static byte[] serialize(ApiKeys key, short version, int correlationId, ApiMessage data) {
        try {
            short headerVersion = key.requestHeaderVersion(version);
            RequestHeader header = new RequestHeader(key, version, "fuzz", correlationId);
            ObjectSerializationCache cache = new ObjectSerializationCache();
            int size = header.data().size(cache, headerVersion) + data.size(cache, version);
            ByteBuffer buffer = ByteBuffer.allocate(size);
            ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
            header.data().write(accessor, cache, headerVersion);
            data.write(accessor, cache, version);
            return buffer.array();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** One mutated frame, size prefix included. */
    byte[] next() {
        byte[] body = seeds.get(random.nextInt(seeds.size())).clone();
        int kind = random.nextInt(10);
        switch (kind) {
            case 0 -> flipBits(body);
            case 1 -> body = truncate(body);
            case 2 -> {
                return withSize(body, lyingSize(body.length));
            }
            case 3 -> overwriteInt(body);
            case 4 -> badVarints(body);
            case 5 -> body = unknownTaggedField(body);
            case 6 -> randomKeyAndVersion(body);
            case 7 -> body = splice(body, seeds.get(random.nextInt(seeds.size())));
            case 8 -> {
                body = new byte[random.nextInt(200)];
                random.nextBytes(body);
            }
            default -> {
                flipBits(body);
                overwriteInt(body);
            }
        }
        return withSize(body, body.length);
    }

    private static byte[] withSize(byte[] body, int size) {
        return ByteBuffer.allocate(4 + body.length).putInt(size).put(body).array();
    }

    private int lyingSize(int actual) {
        return switch (random.nextInt(6)) {
            case 0 -> actual + 1 + random.nextInt(1000);
            case 1 -> Math.max(0, actual - 1 - random.nextInt(Math.max(1, actual)));
            case 2 -> -1 - random.nextInt(Integer.MAX_VALUE);
            case 3 -> Integer.MAX_VALUE;
            case 4 -> random.nextInt(10);
            default -> 200 * 1024 * 1024;
        };
    }

    private void flipBits(byte[] body) {
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips && body.length > 0; i++) {
            int at = random.nextInt(body.length);
            body[at] ^= (byte) (1 << random.nextInt(8));
        }
    }

    private byte[] truncate(byte[] body) {
        int length = body.length == 0 ? 0 : random.nextInt(body.length);
        byte[] cut = new byte[length];
        System.arraycopy(body, 0, cut, 0, length);
        return cut;
    }

    private void overwriteInt(byte[] body) {
        if (body.length >= 12) {
            int at = 8 + random.nextInt(body.length - 11);
            ByteBuffer.wrap(body).putInt(at, LYING_INTS[random.nextInt(LYING_INTS.length)]);
        }
    }

    private void badVarints(byte[] body) {
        if (body.length > 8) {
            int at = 8 + random.nextInt(body.length - 8);
            int run = 5 + random.nextInt(6);
            for (int i = at; i < Math.min(body.length, at + run); i++) {
                body[i] = (byte) 0xff;
            }
        }
    }

    /** The last byte of a flexible request is its top-level tagged-field count: make it one unknown field. */
    private byte[] unknownTaggedField(byte[] body) {
        if (body.length == 0) {
            return body;
        }
        int size = random.nextInt(20);
        byte[] extended = new byte[body.length + 2 + size];
        System.arraycopy(body, 0, extended, 0, body.length);
        extended[body.length - 1] = 1;
        extended[body.length] = (byte) (10 + random.nextInt(100));
        extended[body.length + 1] = (byte) size;
        for (int i = 0; i < size; i++) {
            extended[body.length + 2 + i] = (byte) random.nextInt();
        }
        return extended;
    }

    private void randomKeyAndVersion(byte[] body) {
        if (body.length >= 4) {
            ByteBuffer.wrap(body).putShort(0, (short) (random.nextInt(120) - 5)).putShort(2, (short) (random.nextInt(40) - 3));
        }
    }

    private byte[] splice(byte[] first, byte[] second) {
        int cutFirst = first.length == 0 ? 0 : random.nextInt(first.length);
        int cutSecond = second.length == 0 ? 0 : random.nextInt(second.length);
        byte[] spliced = new byte[cutFirst + second.length - cutSecond];
        System.arraycopy(first, 0, spliced, 0, cutFirst);
        System.arraycopy(second, cutSecond, spliced, cutFirst, second.length - cutSecond);
        return spliced;
    }
}
