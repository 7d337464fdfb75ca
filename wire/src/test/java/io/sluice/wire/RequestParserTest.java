package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParserTest {

    /** Every broker API at every version kafka-clients can encode. */
    static Stream<Arguments> everyBrokerApiVersion() {
        List<Arguments> all = new ArrayList<>();
        for (ApiKeys key : ApiKeys.brokerApis()) {
            for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
                all.add(Arguments.of(key, v));
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("everyBrokerApiVersion")
    void decodesTheDefaultBodyOfEveryVersion(ApiKeys key, short version) {
        ApiMessage body = ApiMessageType.fromApiKey(key.id).newRequest();
        ByteBuf frame = frame(new RequestHeader(key, version, "client-1", 42), body, version);
        ParsedFrame parsed;
        try {
            parsed = RequestParser.parse(frame);
        } catch (InvalidRequestFrameException e) {
            // Some default bodies are not valid at some versions (e.g. a required field); parsing must
            // then fail cleanly, never with another exception type.
            frame.release();
            return;
        }
        KafkaRequest request = assertInstanceOf(ParsedFrame.Request.class, parsed).request();
        assertEquals(key, request.apiKey());
        assertEquals(version, request.apiVersion());
        assertEquals(42, request.correlationId());
        assertEquals("client-1", request.clientId());
        request.release();
    }

    @Test
    void unknownApiKeyIsAnInvalidFrame() {
        ByteBuf frame = Unpooled.buffer().writeShort(9999).writeShort(0).writeInt(1).writeShort(-1);
        assertThrows(InvalidRequestFrameException.class, () -> RequestParser.parse(frame));
        frame.release();
    }

    /**
     * FrameDecoder lets nothing shorter than a header through, but parse is public and promises
     * InvalidRequestFrameException for any frame it cannot understand: found by FrameFuzzTest, whose
     * crash input is in its corpus.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void frameTooShortForApiKeyAndVersionIsAnInvalidFrame(int size) {
        ByteBuf frame = Unpooled.buffer().writeBytes(new byte[size]);
        assertThrows(InvalidRequestFrameException.class, () -> RequestParser.parse(frame));
        assertEquals(1, frame.refCnt());
        frame.release();
    }

    /**
     * kafka-clients puts every filter of a refused DeleteAcls request in its message (about 20 bytes
     * of text per byte of frame); the dispatcher logs the message of every connection it closes, so
     * Sluice's must not grow with it, nor with the client id. Found by FrameFuzzTest, whose crash
     * input is in its corpus.
     */
    @Test
    void messageOfARefusedFrameDoesNotGrowWithTheFrame() {
        List<DeleteAclsRequestData.DeleteAclsFilter> unknownFilters = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            unknownFilters.add(new DeleteAclsRequestData.DeleteAclsFilter());
        }
        ByteBuf frame = frame(new RequestHeader(ApiKeys.DELETE_ACLS, (short) 3, "c".repeat(Short.MAX_VALUE), 1),
                new DeleteAclsRequestData().setFilters(unknownFilters), (short) 3);
        InvalidRequestFrameException refused = assertThrows(InvalidRequestFrameException.class,
                () -> RequestParser.parse(frame));
        assertTrue(refused.getMessage().length() <= 1024, refused.getMessage().length() + " chars");
        assertTrue(refused.getMessage().startsWith("cannot parse DELETE_ACLS v3 body from ccc"), refused.getMessage());
        frame.release();
    }

    @Test
    void apiVersionsOfAFutureVersionIsReportedUnsupportedWithItsHeader() {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.API_VERSIONS.id)
                .setRequestApiVersion((short) 999).setCorrelationId(7).setClientId("future");
        ByteBuf frame = Unpooled.buffer();
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(header.size(cache, (short) 2) + 10);
        header.write(new ByteBufferAccessor(buffer), cache, (short) 2);
        buffer.put(new byte[10]).flip();
        frame.writeBytes(buffer);
        ParsedFrame parsed = RequestParser.parse(frame);
        ParsedFrame.UnsupportedVersion unsupported = assertInstanceOf(ParsedFrame.UnsupportedVersion.class, parsed);
        assertEquals(7, unsupported.header().correlationId());
        frame.release();
    }

    @Test
    void trailingBytesAfterTheBodyAreIgnoredAsKafkaDoes() {
        ByteBuf frame = frame(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "c", 1),
                new ApiVersionsRequestData().setClientSoftwareName("x").setClientSoftwareVersion("1"), (short) 3);
        frame.writeByte(0);
        KafkaRequest request = assertInstanceOf(ParsedFrame.Request.class, RequestParser.parse(frame)).request();
        assertEquals("x", ((org.apache.kafka.common.requests.ApiVersionsRequest) request.body()).data().clientSoftwareName());
        request.release();
    }

    @Test
    void truncatedBodyIsAnInvalidFrame() {
        ByteBuf frame = frame(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "c", 1),
                new ApiVersionsRequestData().setClientSoftwareName("x").setClientSoftwareVersion("1"), (short) 3);
        ByteBuf truncated = frame.slice(0, frame.readableBytes() - 3);
        assertThrows(InvalidRequestFrameException.class, () -> RequestParser.parse(truncated));
        frame.release();
    }

    static ByteBuf frame(RequestHeader header, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.data().size(cache, header.headerVersion()) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.data().write(accessor, cache, header.headerVersion());
        body.write(accessor, cache, version);
        buffer.flip();
        return Unpooled.buffer(size + 16).writeBytes(buffer);
    }
}
