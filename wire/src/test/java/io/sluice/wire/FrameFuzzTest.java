package io.sluice.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Coverage-guided fuzz test of the way in: bytes as a client could send them, through
 * {@link FrameDecoder} in a Netty pipeline and {@link RequestParser} on every frame it emits, as
 * {@code NetworkServer} and {@code RequestDispatcher} chain them.
 *
 * <p>An input is a byte stream, cut into up to {@value FrameFuzzSeeds#MAX_WRITES} writes at points
 * the fuzzer chooses (a frame's size prefix or body may arrive in pieces). For every input it checks:
 * <ul>
 *   <li>the decoder fails only with {@link TooLongFrameException} or {@link CorruptedFrameException},
 *       never with another exception wrapped in a {@link DecoderException};</li>
 *   <li>{@link RequestParser#parse}, on each frame and on the stream after its size prefix taken as
 *       one frame of any length, returns a {@link ParsedFrame} or throws
 *       {@link InvalidRequestFrameException}: no {@code IndexOutOfBoundsException},
 *       {@code BufferUnderflowException}, {@code NegativeArraySizeException}, {@code OutOfMemoryError}
 *       or anything else gets out raw, since the dispatcher frees the frame and closes the connection
 *       on that exception only;</li>
 *   <li>the message of that exception, which the dispatcher logs, stays under
 *       {@value #MAX_MESSAGE_CHARS} characters whatever the frame holds;</li>
 *   <li>parse neither releases nor retains the frame, an {@code UnsupportedVersion} is answered only
 *       for versions kafka-clients cannot decode, a request carries its frame and its size;</li>
 *   <li>no buffer leaks: every buffer the pipeline allocates for the input, from the cumulation to
 *       the frames' parent buffers, has been released once the frames are freed as their owners must
 *       free them and the channel is closed;</li>
 *   <li>a request that parsed serializes back, and parses again into equal header and body data that
 *       serializes into the same bytes (unknown tagged fields out of order are the one exception, see
 *       {@link #writable});</li>
 * </ul>
 *
 * <p>Without {@code JAZZER_FUZZ}, which is how {@code mvn test} runs it, this is a parameterized test
 * over the empty input and the seed corpus in
 * {@code src/test/resources/io/sluice/wire/FrameFuzzTestInputs/decodeAndParse} (see
 * {@link FrameFuzzSeeds}), including every reproducer Jazzer saved there: a few seconds.
 *
 * <p>To fuzz, for the {@code maxDuration} of the annotation below (Jazzer 0.24 has no property for it):
 * <pre>
 *   JAZZER_FUZZ=1 nice mvn -o -pl wire test -Dtest=FrameFuzzTest
 * </pre>
 * For another duration, hand libFuzzer its own flag through the parameters Jazzer's command-line
 * launcher uses for that (internal to Jazzer, so check them when upgrading it), e.g. one hour:
 * {@code -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=3600}. The run stops at
 * the first finding and fails the test; Jazzer writes the input as {@code crash-<sha1>} into the
 * corpus directory above, so that once the bug is fixed the file, checked in, is replayed by every
 * regression run. Inputs that found new coverage are kept in {@code wire/.cifuzz-corpus} (ignored by
 * git), where the next run on the same machine starts from. {@code junit-platform.properties} in the
 * test resources widens the coverage instrumentation to kafka-clients and Netty's codecs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrameFuzzTest {

    /**
     * Far below Kafka's 100 MiB default, so that sizes past the limit are as easy to reach as sizes
     * under it that make the decoder wait for bytes that never come.
     */
    static final int MAX_FRAME = 1 << 20;

    /** Generous for a message that names the API, the version, the client and what was wrong. */
    static final int MAX_MESSAGE_CHARS = 1024;

    /**
     * One pooled allocator for every input, as the server uses Netty's pooled default; it records the
     * buffers it hands out for the input under test so that their reference counts can be checked.
     */
    private static final TrackingAllocator ALLOCATOR = new TrackingAllocator();

    @FuzzTest(maxDuration = "10m")
    @Order(1)
    void decodeAndParse(FuzzedDataProvider data) {
        int writes = data.consumeInt(1, FrameFuzzSeeds.MAX_WRITES);
        int[] cuts = new int[writes - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, FrameFuzzSeeds.MAX_CUT);
        }
        byte[] stream = data.consumeRemainingAsBytes();

        ALLOCATOR.startInput();
        List<ByteBuf> chunks = chunks(stream, cuts);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(ALLOCATOR);
        channel.pipeline().addLast(new FrameDecoder(MAX_FRAME));
        boolean failed = false;
        for (ByteBuf chunk : chunks) {
            if (failed) {
                // The server closes the connection after a decoder error; what was still to come is dropped.
                chunk.release();
                continue;
            }
            try {
                channel.writeInbound(chunk);
            } catch (TooLongFrameException | CorruptedFrameException expected) {
                failed = true;
            } catch (DecoderException e) {
                throw new AssertionError("FrameDecoder failed with an undocumented exception", e);
            }
            // Frames decoded before a failure in the same read still go up the pipeline.
            for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
                parseAsTheDispatcherDoes(frame);
            }
        }
        channel.finishAndReleaseAll();

        // parse is public and its contract is not limited to what FrameDecoder lets through (at least
        // a header's worth of bytes): the stream after its size prefix, whatever its length, as one frame.
        int from = Math.min(4, stream.length);
        parseAsTheDispatcherDoes(ALLOCATOR.directBuffer(Math.max(1, stream.length - from))
                .writeBytes(stream, from, stream.length - from));

        ALLOCATOR.assertAllReleased();
    }

    /**
     * The frame ownership of {@code RequestDispatcher}: the caller frees the frame unless parse handed
     * it to a {@link KafkaRequest}, whose owner frees it once answered.
     */
    private static void parseAsTheDispatcherDoes(ByteBuf frame) {
        int size = frame.readableBytes();
        ParsedFrame parsed;
        try {
            parsed = RequestParser.parse(frame);
        } catch (InvalidRequestFrameException expected) {
            // RequestDispatcher logs this message for every connection it closes: its size must not be
            // the client's to choose.
            assertTrue(expected.getMessage().length() <= MAX_MESSAGE_CHARS,
                    () -> "message of " + expected.getMessage().length() + " chars for a frame of " + size + " bytes");
            assertEquals(1, frame.refCnt(), "parse must leave a refused frame to its caller");
            frame.release();
            return;
        }
        assertEquals(1, frame.refCnt(), "parse must neither release nor retain the frame");
        if (parsed instanceof ParsedFrame.UnsupportedVersion unsupported) {
            RequestHeader header = unsupported.header();
            assertFalse(header.apiKey().isVersionSupported(header.apiVersion()),
                    () -> "UnsupportedVersion for a supported version: " + header);
            frame.release();
        } else if (parsed instanceof ParsedFrame.Request request) {
            KafkaRequest kafkaRequest = request.request();
            try {
                assertSame(frame, kafkaRequest.frame());
                assertEquals(size, kafkaRequest.sizeInBytes());
                assertEquals(kafkaRequest.apiKey(), kafkaRequest.body().apiKey());
                assertEquals(kafkaRequest.apiVersion(), kafkaRequest.body().version());
                // Before the release: Produce records are views of the frame's memory.
                assertRoundTrip(kafkaRequest);
            } finally {
                kafkaRequest.release();
            }
        } else {
            fail("unknown ParsedFrame " + parsed);
        }
    }

    /** What parsed must write back and read again as equal data: what Sluice reads is what the client sent. */
    static void assertRoundTrip(KafkaRequest request) {
        RequestHeader header = request.header();
        ByteBufferAccessor headerWritten = writable(() -> MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()));
        if (headerWritten == null) {
            return;
        }
        assertEquals(header.data(), new RequestHeaderData(headerWritten, header.headerVersion()), "request header round trip");

        AbstractRequest body = request.body();
        ByteBufferAccessor written = writable(body::serialize);
        if (written == null) {
            return;
        }
        byte[] bytes = bytes(written);
        AbstractRequest again = AbstractRequest.parseRequest(request.apiKey(), request.apiVersion(), written).request;
        String what = request.apiKey() + " v" + request.apiVersion() + " round trip";
        assertArrayEquals(bytes, bytes(again.serialize()), what + ": written again differs");
        if (!body.data().equals(again.data())) {
            // Generated equals compares float64 fields with !=, so a NaN (AlterClientQuotas' quota
            // value, the one float64 in a request) never equals itself, not even in the same object.
            // The same bytes above and the same text here are what equality means for such data.
            assertEquals(body.data().toString(), again.data().toString(), what);
        }
    }

    private static byte[] bytes(ByteBufferAccessor accessor) {
        ByteBuffer buffer = accessor.buffer().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /**
     * The serialized message, or null for the one input kafka-clients reads but will not write: unknown
     * tagged fields whose tags are not strictly ascending. The generated readers keep them in arrival
     * order without checking it, RawTaggedFieldWriter refuses such a list. The broker never writes a
     * request back, and Kafka's own broker reads such a frame the same way, so it is no reason to refuse
     * it; any other failure to write back what was read is a finding.
     */
    private static ByteBufferAccessor writable(Supplier<ByteBufferAccessor> write) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).startsWith("Invalid raw tag field list")) {
                return null;
            }
            throw new AssertionError("parsed, but cannot be written back", e);
        }
    }

    private static List<ByteBuf> chunks(byte[] stream, int[] cuts) {
        int[] points = Arrays.stream(cuts).map(cut -> Math.min(cut, stream.length)).sorted().toArray();
        List<ByteBuf> chunks = new ArrayList<>();
        int from = 0;
        for (int point : points) {
            chunks.add(chunk(stream, from, point));
            from = point;
        }
        chunks.add(chunk(stream, from, stream.length));
        return chunks;
    }

    private static ByteBuf chunk(byte[] stream, int from, int to) {
        // At least one byte of capacity so that empty writes are tracked buffers too, not Netty's shared empty one.
        return ALLOCATOR.directBuffer(Math.max(1, to - from)).writeBytes(stream, from, to - from);
    }

    /**
     * The seeds' control bytes ({@link FrameFuzzSeeds#encode}) read back as written by the provider
     * Jazzer hands {@link #decodeAndParse} in regression mode. That provider needs Jazzer's runtime,
     * which the fuzz test ordered before this one installs.
     */
    @Test
    @Order(2)
    void seedControlBytesDecodeAsEncoded() {
        assumeTrue(jazzerRuntimeInstalled(), "Jazzer's runtime is installed by running decodeAndParse first");
        byte[] stream = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        int[] cuts = {3, 0x1234, 7};
        FuzzedDataProvider data = FuzzedDataProviderImpl.withJavaData(FrameFuzzSeeds.encode(stream, cuts));
        assertEquals(cuts.length + 1, data.consumeInt(1, FrameFuzzSeeds.MAX_WRITES));
        for (int cut : cuts) {
            assertEquals(cut, data.consumeInt(0, FrameFuzzSeeds.MAX_CUT));
        }
        assertArrayEquals(stream, data.consumeRemainingAsBytes());

        FuzzedDataProvider single = FuzzedDataProviderImpl.withJavaData(FrameFuzzSeeds.encode(stream));
        assertEquals(1, single.consumeInt(1, FrameFuzzSeeds.MAX_WRITES));
        assertArrayEquals(stream, single.consumeRemainingAsBytes());
    }

    private static boolean jazzerRuntimeInstalled() {
        try {
            Class.forName("com.code_intelligence.jazzer.utils.UnsafeProvider");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * A request that claims 2^31-1 elements in a frame of a few bytes must be refused from the
     * bytes that remain, not by trying to allocate them: both array encodings, through the decoder.
     */
    @Test
    @Order(3)
    void hugeArrayClaimInATinyFrameIsRefusedQuickly() throws IOException {
        for (String seed : List.of(FrameFuzzSeeds.HUGE_ARRAY_INT32, FrameFuzzSeeds.HUGE_ARRAY_COMPACT)) {
            byte[] input = Files.readAllBytes(FrameFuzzSeeds.CORPUS.resolve(seed));
            // The seed is the framed request followed by the single control byte "one write".
            byte[] framed = Arrays.copyOf(input, input.length - 1);
            assertTrue(framed.length < 64, seed + " is a tiny frame");
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));
            channel.writeInbound(channel.alloc().buffer().writeBytes(framed));
            ByteBuf frame = channel.readInbound();
            try {
                InvalidRequestFrameException refused = assertTimeoutPreemptively(Duration.ofSeconds(2),
                        () -> assertThrows(InvalidRequestFrameException.class, () -> RequestParser.parse(frame)), seed);
                assertTrue(String.valueOf(refused.getCause()).contains("2147483647"), () -> seed + ": " + refused);
            } finally {
                frame.release();
                channel.finishAndReleaseAll();
            }
        }
    }

    /** Records every buffer it allocates while an input runs; the pool and its caches stay shared. */
    static final class TrackingAllocator extends PooledByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(true);
        }

        void startInput() {
            allocated.clear();
        }

        void assertAllReleased() {
            for (ByteBuf buf : allocated) {
                if (buf.refCnt() != 0) {
                    fail("leaked buffer of " + buf.capacity() + " bytes, reference count " + buf.refCnt());
                }
            }
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = super.newDirectBuffer(initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = super.newHeapBuffer(initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }
    }
}
