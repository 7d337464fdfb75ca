package io.sluice.compat;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bare TCP connection speaking Kafka's framing by hand (int32 size, then the bytes), for requests
 * no client would send. Reads wait at most {@link Clients#DEADLINE}.
 */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) Clients.DEADLINE.toMillis());
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
    }

    int nextCorrelationId() {
        return nextCorrelationId++;
    }

    /** Writes {@code bytes} as they are: no size prefix is added. */
    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes one frame: {@code payload.length} as int32, then the payload. */
    void writeFrame(byte[] payload) throws IOException {
        writeRaw(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
    }

    /** Reads one response frame (without its size), failing if the broker closed the connection instead. */
    ByteBuffer readFrame() throws IOException {
        int size;
        try {
            size = in.readInt();
        } catch (EOFException | SocketException e) {
            throw new AssertionError("the broker closed the connection instead of answering", e);
        }
        byte[] payload = new byte[size];
        in.readFully(payload);
        return ByteBuffer.wrap(payload);
    }

    /** Sends a request built by kafka-clients, with its header, and parses the answer as kafka-clients does. */
    <R extends AbstractResponse> R send(AbstractRequest request, Class<R> responseType) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "sluice-compat-raw", nextCorrelationId());
        ByteBuffer bytes = request.serializeWithHeader(header);
        byte[] payload = new byte[bytes.remaining()];
        bytes.get(payload);
        writeFrame(payload);
        return responseType.cast(AbstractResponse.parseResponse(readFrame(), header));
    }

    /**
     * Sends {@code data} as {@code key} at {@code version}, written field by field, for values the request classes'
     * builders would refuse, and parses the answer as kafka-clients does.
     */
    <R extends AbstractResponse> R send(ApiKeys key, short version, ApiMessage data, Class<R> responseType)
            throws IOException {
        RequestHeader header = new RequestHeader(key, version, "sluice-compat-raw", nextCorrelationId());
        short headerVersion = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer bytes = ByteBuffer.allocate(header.data().size(cache, headerVersion) + data.size(cache, version));
        ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
        header.data().write(accessor, cache, headerVersion);
        data.write(accessor, cache, version);
        writeFrame(bytes.array());
        return responseType.cast(AbstractResponse.parseResponse(readFrame(), header));
    }

    /** A Produce body, acks=all, that carries {@code records} to partition 0 of {@code topic} exactly as they are. */
    static ProduceRequestData produceData(String topic, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topicData);
        return data;
    }

    /** The error of the one partition of a response to {@link #produceData}. */
    static Errors partitionError(ProduceResponse response) {
        return Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    /** The broker's ApiVersions answer at v3, the version Java clients of this generation start with. */
    ApiVersionsResponse apiVersions() throws IOException {
        return send(new ApiVersionsRequest.Builder((short) 3).build((short) 3), ApiVersionsResponse.class);
    }

    /** The highest version of {@code api} the broker advertises, failing the test when it advertises none. */
    short maxVersion(ApiKeys api) throws IOException {
        ApiVersion version = apiVersions().apiVersion(api.id);
        assertNotNull(version, "the broker does not advertise " + api + " in ApiVersions");
        return version.maxVersion();
    }

    /**
     * Fails when the broker sends anything within {@code wait}: for a request that must stay unread. A broker
     * that reads it answers in milliseconds, so a slow machine can only make this pass, never fail.
     */
    void assertNoAnswerWithin(Duration wait, String why) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            int read = in.read();
            fail(read == -1 ? "the broker closed the connection: " + why : "the broker answered: " + why);
        } catch (SocketTimeoutException e) {
            // nothing arrived, as required
        } finally {
            socket.setSoTimeout((int) Clients.DEADLINE.toMillis());
        }
    }

    /** Passes when the broker closes the connection (EOF or reset) before {@link Clients#DEADLINE}. */
    void assertClosedByBroker(String why) throws IOException {
        try {
            int read = in.read();
            while (read != -1) {
                // the broker may answer something before closing; only the close matters
                read = in.read();
            }
        } catch (SocketTimeoutException e) {
            fail("the broker kept the connection open after " + why + " for " + Clients.DEADLINE);
        } catch (SocketException e) {
            // connection reset: closed too
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
