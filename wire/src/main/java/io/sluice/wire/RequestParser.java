package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;

import java.nio.ByteBuffer;
import java.util.function.BiPredicate;

/**
 * Decodes one frame into a {@link ParsedFrame}, with the header version that the API key and version
 * imply and the body with kafka-clients' generated {@code *Data} classes. Stateless and thread-safe.
 */
public final class RequestParser {

    private static final int MAX_EXCERPT_CHARS = 256;

    private RequestParser() {
    }

    /**
     * Parses {@code frame}. On success the returned request owns {@code frame} (its record fields are
     * slices of it); on any other outcome the caller still owns it.
     *
     * @throws InvalidRequestFrameException when the frame cannot be understood and the connection must close
     */
    public static ParsedFrame parse(ByteBuf frame) {
        return parse(frame, (apiKey, version) -> true);
    }

    /**
     * Parses {@code frame}, but its body only when {@code served} accepts its API key and version: any other
     * request is {@link ParsedFrame.UnsupportedVersion} with its header alone. A broker never decodes what it
     * does not serve (Kafka's socket server refuses an API that is not enabled before parsing it), which also
     * keeps kafka-clients' parsers of unbuilt APIs away from hostile bytes: a DeleteAcls body, for one, costs
     * about 120 times its size to parse.
     */
    public static ParsedFrame parse(ByteBuf frame, BiPredicate<ApiKeys, Short> served) {
        ByteBuffer buffer = frame.nioBuffer();
        int size = buffer.remaining();
        if (size < 4) {
            // FrameDecoder emits nothing shorter than a request header, but parse must not rely on its
            // caller for that: the absolute reads below would throw IndexOutOfBoundsException.
            throw new InvalidRequestFrameException("frame of " + size + " bytes has no API key and version");
        }
        short apiKeyId = buffer.getShort(0);
        short apiVersion = buffer.getShort(2);
        if (!ApiKeys.hasId(apiKeyId)) {
            throw new InvalidRequestFrameException("unknown API key " + apiKeyId);
        }
        ApiKeys apiKey = ApiKeys.forId(apiKeyId);
        RequestHeader header = parseHeader(buffer, apiKey, apiVersion);
        if (!apiKey.isVersionSupported(apiVersion) || !served.test(apiKey, apiVersion)) {
            return new ParsedFrame.UnsupportedVersion(header);
        }
        AbstractRequest body;
        try {
            RequestAndSize parsed = AbstractRequest.parseRequest(apiKey, apiVersion, new ByteBufferAccessor(buffer));
            body = parsed.request;
        } catch (RuntimeException e) {
            throw new InvalidRequestFrameException("cannot parse " + apiKey + " v" + apiVersion + " body from "
                    + excerpt(header.clientId()) + ": " + excerpt(e.getMessage()), e);
        }
        // Bytes after a complete body are ignored: Apache Kafka 4.3 answers such a request (checked by
        // compat-tests' BadInputTest against the reference broker), so closing here would be a difference.
        return new ParsedFrame.Request(new KafkaRequest(header, body, size, frame));
    }

    /**
     * At most {@link #MAX_EXCERPT_CHARS} characters of a text the client controls. The dispatcher logs
     * the message of every frame it refuses, and kafka-clients' own messages can quote the whole body
     * (DeleteAcls lists every filter, some twenty characters per byte of frame): without a bound a
     * 100 MiB frame would be a 2 GB log line, and as many more bytes of heap for building it.
     */
    private static String excerpt(String text) {
        if (text == null || text.length() <= MAX_EXCERPT_CHARS) {
            return text;
        }
        return text.substring(0, MAX_EXCERPT_CHARS) + "... (" + text.length() + " chars)";
    }

    private static RequestHeader parseHeader(ByteBuffer buffer, ApiKeys apiKey, short apiVersion) {
        try {
            // The header layout follows from the API and version, even for versions we cannot decode
            // (KIP-511: a newer client's ApiVersions request must still be read).
            short headerVersion = apiKey.requestHeaderVersion(apiVersion);
            RequestHeaderData data = new RequestHeaderData(new ByteBufferAccessor(buffer), headerVersion);
            return new RequestHeader(data, headerVersion);
        } catch (RuntimeException e) {
            throw new InvalidRequestFrameException("cannot parse request header of " + apiKey + " v" + apiVersion, e);
        }
    }
}
