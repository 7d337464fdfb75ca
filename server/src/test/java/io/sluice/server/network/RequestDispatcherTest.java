package io.sluice.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.server.api.ApiHandler;
import io.sluice.server.api.ApiVersionsHandler;
import io.sluice.server.api.HandlerRegistry;
import io.sluice.server.api.RequestContext;
import io.sluice.wire.FrameDecoder;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher on an {@link EmbeddedChannel}: ordering of pipelined responses, error answers and
 * connection closes, without sockets.
 */
class RequestDispatcherTest {

    /** Hands out futures that the test completes in any order. */
    private static final class ParkingHandler implements ApiHandler<DescribeClusterRequest> {
        final List<CompletableFuture<ApiMessage>> pending = new ArrayList<>();

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.DESCRIBE_CLUSTER;
        }

        @Override
        public short minVersion() {
            return 0;
        }

        @Override
        public short maxVersion() {
            return 2;
        }

        @Override
        public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeClusterRequest request) {
            CompletableFuture<ApiMessage> future = new CompletableFuture<>();
            pending.add(future);
            return future;
        }
    }

    private final ParkingHandler parking = new ParkingHandler();
    private final RequestBudget budget = new RequestBudget(1 << 20, 500);

    private EmbeddedChannel channel() {
        AtomicReference<HandlerRegistry> registry = new AtomicReference<>();
        registry.set(new HandlerRegistry(List.of(parking,
                new ApiVersionsHandler(() -> registry.get().apiVersionTable()))));
        ReceiveThrottle throttle = new ReceiveThrottle(budget);
        return new EmbeddedChannel(throttle, new FrameDecoder(1 << 20),
                new RequestDispatcher(registry.get(), "PLAINTEXT", budget, throttle));
    }

    @Test
    void aRequestForAnApiNotServedClosesTheConnectionWithoutBeingParsedOrAnswered() {
        EmbeddedChannel channel = channel();
        // a valid DeleteAcls request: kafka-clients could parse it, but no handler serves DeleteAcls here
        channel.writeInbound(frame(ApiKeys.DELETE_ACLS, (short) 3, 1, new DeleteAclsRequestData()));
        assertNull(channel.readOutbound(), "an unserved API was answered");
        assertFalse(channel.isActive(), "the connection stays open after an unserved API");
        assertEquals(0, budget.bytes());
        channel.finishAndReleaseAll();
    }

    @Test
    void aChannelThatIsNotWritableStartsNoFurtherRequestUntilItIsAgain() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 1, new DescribeClusterRequestData()));
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 2, new DescribeClusterRequestData()));
        // the client stopped reading: the socket's outbound buffer is over its high water mark
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        parking.pending.get(0).complete(new DescribeClusterResponseData());
        channel.runPendingTasks();
        assertEquals(1, parking.pending.size(), "the second request started while responses could not be sent");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        assertEquals(2, parking.pending.size(), "the second request did not start once the channel was writable");
        parking.pending.get(1).complete(new DescribeClusterResponseData());
        channel.runPendingTasks();
        channel.finishAndReleaseAll();
        assertEquals(0, budget.bytes());
    }

    @Test
    void theBudgetGetsEveryByteBackIncludingThoseOfARequestStillRunningAtClose() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 1, new DescribeClusterRequestData()));
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 2, new DescribeClusterRequestData()));
        // half a frame, still in the decoder
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 50, 0, 32}));
        assertTrue(budget.bytes() > 6);
        channel.close();
        assertTrue(budget.bytes() > 0, "the running request's frame is still in use");
        parking.pending.get(0).complete(new DescribeClusterResponseData());
        channel.runPendingTasks();
        assertEquals(0, budget.bytes());
        assertFalse(budget.exhausted());
        channel.finishAndReleaseAll();
    }

    private EmbeddedChannel channel(RequestBudget shared) {
        AtomicReference<HandlerRegistry> registry = new AtomicReference<>();
        registry.set(new HandlerRegistry(List.of(parking)));
        ReceiveThrottle throttle = new ReceiveThrottle(shared);
        return new EmbeddedChannel(throttle, new FrameDecoder(1 << 20),
                new RequestDispatcher(registry.get(), "PLAINTEXT", shared, throttle));
    }

    @Test
    void queuedMaxRequestsHoldsBackOtherConnectionsWhileThatManyAreBeingHandled() {
        RequestBudget oneAtATime = new RequestBudget(1 << 20, 1);
        EmbeddedChannel first = channel(oneAtATime);
        EmbeddedChannel second = channel(oneAtATime);
        first.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 1, new DescribeClusterRequestData()));
        second.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 1, new DescribeClusterRequestData()));
        assertEquals(1, parking.pending.size(), "a second request started while one was being handled");
        parking.pending.get(0).complete(new DescribeClusterResponseData());
        first.runPendingTasks();
        second.runPendingTasks();
        assertEquals(2, parking.pending.size(), "the held-back request did not start once the first was answered");
        parking.pending.get(1).complete(new DescribeClusterResponseData());
        second.runPendingTasks();
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    @Test
    void requestsWaitingForAClientThatDoesNotReadDoNotHoldBackOthers() {
        RequestBudget two = new RequestBudget(1 << 20, 2);
        EmbeddedChannel stalled = channel(two);
        stalled.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        for (int correlationId = 1; correlationId <= 5; correlationId++) {
            stalled.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, correlationId, new DescribeClusterRequestData()));
        }
        assertEquals(0, parking.pending.size(), "a request started on a channel that cannot send");
        EmbeddedChannel other = channel(two);
        other.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 1, new DescribeClusterRequestData()));
        assertEquals(1, parking.pending.size(), "another connection was held back by requests nobody will read");
        parking.pending.get(0).complete(new DescribeClusterResponseData());
        other.runPendingTasks();
        stalled.finishAndReleaseAll();
        other.finishAndReleaseAll();
    }

    @Test
    void anExhaustedBudgetStopsReadingUntilRequestsAreAnswered() {
        RequestBudget small = new RequestBudget(10, 500);
        AtomicReference<HandlerRegistry> registry = new AtomicReference<>();
        registry.set(new HandlerRegistry(List.of(parking)));
        ReceiveThrottle throttle = new ReceiveThrottle(small);
        EmbeddedChannel channel = new EmbeddedChannel(throttle, new FrameDecoder(1 << 20),
                new RequestDispatcher(registry.get(), "PLAINTEXT", small, throttle));
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 1, new DescribeClusterRequestData()));
        assertFalse(channel.config().isAutoRead(), "a request over the whole budget still stops reading after it");
        parking.pending.get(0).complete(new DescribeClusterResponseData());
        channel.runPendingTasks();
        assertTrue(channel.config().isAutoRead(), "reading did not resume once the request was answered");
        channel.finishAndReleaseAll();
    }

    @Test
    void pipelinedRequestsAreHandledOneAtATimeAndAnsweredInOrder() {
        EmbeddedChannel channel = channel();
        for (int correlationId = 1; correlationId <= 3; correlationId++) {
            channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, correlationId, new DescribeClusterRequestData()));
        }
        assertEquals(1, parking.pending.size(), "the next request waits until the one before it is answered");
        assertNull(channel.readOutbound());
        for (int correlationId = 1; correlationId <= 3; correlationId++) {
            parking.pending.get(correlationId - 1).complete(new DescribeClusterResponseData().setClusterId("c" + correlationId));
            channel.runPendingTasks();
            ByteBuffer response = response(channel);
            assertEquals(correlationId, response.getInt());
            response.get(); // tagged fields of response header v1
            DescribeClusterResponseData data = new DescribeClusterResponseData(new ByteBufferAccessor(response), (short) 1);
            assertEquals("c" + correlationId, data.clusterId());
            assertEquals(Math.min(correlationId + 1, 3), parking.pending.size());
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void queuedRequestsAreReleasedWhenTheConnectionCloses() {
        EmbeddedChannel channel = channel();
        ByteBuf second = frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 2, new DescribeClusterRequestData());
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 1, new DescribeClusterRequestData()));
        channel.writeInbound(second);
        channel.close();
        parking.pending.get(0).complete(new DescribeClusterResponseData());
        channel.runPendingTasks();
        assertEquals(0, second.refCnt(), "the frame of a request that never started goes back to the pool");
        channel.finishAndReleaseAll();
    }

    @Test
    void unexpectedHandlerFailureIsAnsweredAsUnknownServerErrorWithoutItsMessage() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 1, 9, new DescribeClusterRequestData()));
        parking.pending.get(0).completeExceptionally(new IllegalStateException("secret internals"));
        channel.runPendingTasks();
        ByteBuffer response = response(channel);
        assertEquals(9, response.getInt());
        response.get();
        DescribeClusterResponseData data = new DescribeClusterResponseData(new ByteBufferAccessor(response), (short) 1);
        assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), data.errorCode());
        assertFalse(String.valueOf(data.errorMessage()).contains("secret"));
        assertTrue(channel.isActive());
        channel.finishAndReleaseAll();
    }

    @Test
    void aResponseItsVersionCannotCarryClosesTheConnectionInsteadOfLeavingTheClientWaiting() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(frame(ApiKeys.DESCRIBE_CLUSTER, (short) 0, 3, new DescribeClusterRequestData()));
        // EndpointType exists from v1 only: serializing this at v0 fails.
        parking.pending.get(0).complete(new DescribeClusterResponseData().setEndpointType((byte) 2));
        channel.runPendingTasks();
        assertNull(channel.readOutbound());
        assertFalse(channel.isActive());
        channel.finishAndReleaseAll();
    }

    @Test
    void apiVersionsOfAnUnknownVersionGetsTheV0Answer() {
        EmbeddedChannel channel = channel();
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.API_VERSIONS.id)
                .setRequestApiVersion((short) 999).setCorrelationId(77).setClientId("future-client");
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer body = ByteBuffer.allocate(header.size(cache, (short) 2) + 3);
        header.write(new ByteBufferAccessor(body), cache, (short) 2);
        body.put(new byte[3]).flip();
        channel.writeInbound(Unpooled.buffer().writeInt(body.remaining()).writeBytes(body));
        ByteBuffer response = response(channel);
        assertEquals(77, response.getInt());
        ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(response), (short) 0);
        assertEquals(Errors.UNSUPPORTED_VERSION.code(), data.errorCode());
        assertEquals(1, data.apiKeys().size());
        assertEquals(ApiKeys.API_VERSIONS.id, data.apiKeys().iterator().next().apiKey());
        assertTrue(channel.isActive());
        channel.finishAndReleaseAll();
    }

    @Test
    void unparseableFrameClosesTheConnection() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.buffer().writeInt(12).writeShort(9999).writeShort(0).writeInt(1).writeInt(0));
        assertFalse(channel.isActive());
        channel.finishAndReleaseAll();
    }

    @Test
    void unsupportedVersionOfAnotherApiClosesTheConnection() {
        EmbeddedChannel channel = channel();
        // Produce v0 is advertised for librdkafka's sake but cannot be decoded (KAFKA-18659).
        channel.writeInbound(Unpooled.buffer().writeInt(14).writeShort(ApiKeys.PRODUCE.id).writeShort(0)
                .writeInt(1).writeShort(-1).writeInt(0));
        assertFalse(channel.isActive());
        channel.finishAndReleaseAll();
    }

    private static ByteBuf frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        RequestHeader header = new RequestHeader(key, version, "test", correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.data().size(cache, header.headerVersion()) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.data().write(accessor, cache, header.headerVersion());
        body.write(accessor, cache, version);
        buffer.flip();
        return Unpooled.wrappedBuffer(buffer);
    }

    /** Reads one whole response frame from the outbound side, past its size prefix. */
    private static ByteBuffer response(EmbeddedChannel channel) {
        ByteBuf first = channel.readOutbound();
        int size = first.readInt();
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(first.nioBuffer());
        first.release();
        while (out.hasRemaining()) {
            ByteBuf next = channel.readOutbound();
            out.put(next.nioBuffer());
            next.release();
        }
        return out.flip();
    }
}
