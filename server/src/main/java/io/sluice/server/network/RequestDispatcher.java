package io.sluice.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.sluice.server.api.ApiHandler;
import io.sluice.server.api.ApiVersionsHandler;
import io.sluice.server.api.CloseConnectionException;
import io.sluice.server.api.HandlerRegistry;
import io.sluice.server.api.RequestContext;
import io.sluice.wire.InvalidRequestFrameException;
import io.sluice.wire.KafkaRequest;
import io.sluice.wire.ParsedFrame;
import io.sluice.wire.RequestParser;
import io.sluice.wire.ResponseSerializer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The last handler of a connection's pipeline: parses each frame, hands it to the handler of its API,
 * and writes the responses in request order. Clients pipeline up to
 * {@code max.in.flight.requests.per.connection} requests; as in Kafka, whose socket server mutes a
 * connection until its response is sent, one request of a connection is handled at a time, so that
 * pipelined batches of an idempotent producer are appended in the order they were sent.
 *
 * <pre>
 *   frame -> parse -> slot queued in inFlight
 *   head slot not started: start its handler -> future completes -> slot done
 *   head slot done: write its response (none for acks=0 Produce), pop, start the next
 *   a slot completed with CloseConnectionException: write what precedes it, then close
 * </pre>
 *
 * <p>A frame that cannot be parsed closes this connection only. Reading pauses while
 * {@value #MAX_IN_FLIGHT} requests or {@value #MAX_QUEUED_BYTES} bytes of them are queued and not started,
 * which bounds what a client can pin to that plus one socket read and the request being handled. The next
 * request starts only while the channel is writable: a client that does not read its responses stops
 * having requests handled once about {@value NetworkServer#WRITE_BUFFER_HIGH_WATER_MARK} bytes of
 * them wait, then stops being read, as Kafka mutes a connection whose response is not yet sent.
 * Every frame's bytes go back to the {@link ReceiveThrottle} when the frame is released.
 *
 * <p>One instance per channel; all state is touched on the channel's event loop only.
 */
public final class RequestDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);
    static final int MAX_IN_FLIGHT = 64;
    /** Bytes of requests read ahead and not yet started, beyond which the connection stops being read. */
    static final int MAX_QUEUED_BYTES = 1 << 20;

    private final HandlerRegistry registry;
    private final String listenerName;
    private final RequestBudget budget;
    private final ReceiveThrottle throttle;
    private boolean loggedNotReading;
    /** Bytes of the queued requests not yet started. */
    private long queuedBytes;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private boolean driving;
    private ChannelHandlerContext ctx;

    RequestDispatcher(HandlerRegistry registry, String listenerName, RequestBudget budget, ReceiveThrottle throttle) {
        this.registry = registry;
        this.listenerName = listenerName;
        this.budget = budget;
        this.throttle = throttle;
    }

    /** One request awaiting its response, in arrival order. */
    private static final class InFlight {
        final RequestHeader header;
        /** The frame's bytes with its size prefix, given back to the throttle when the frame is released. */
        final int bytes;
        KafkaRequest request;
        boolean started;
        boolean done;
        boolean close;
        ApiMessage response;
        short responseVersion;

        InFlight(RequestHeader header, int bytes) {
            this.header = header;
            this.bytes = bytes;
            this.responseVersion = header.apiVersion();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        int bytes = Integer.BYTES + frame.readableBytes();
        ParsedFrame parsed;
        try {
            parsed = RequestParser.parse(frame, registry.apiVersionTable()::isServed);
        } catch (InvalidRequestFrameException e) {
            frame.release();
            throttle.released(bytes);
            log.info("Closing connection from {} on {}: {}", ctx.channel().remoteAddress(), listenerName, e.getMessage());
            ctx.close();
            return;
        }
        if (parsed instanceof ParsedFrame.Request request) {
            InFlight slot = new InFlight(request.request().header(), bytes);
            slot.request = request.request();
            queuedBytes += bytes;
            enqueue(slot);
        } else if (parsed instanceof ParsedFrame.UnsupportedVersion unsupported) {
            frame.release();
            throttle.released(bytes);
            answerUnsupportedVersion(unsupported.header());
        }
    }

    private void answerUnsupportedVersion(RequestHeader header) {
        if (header.apiKey() != ApiKeys.API_VERSIONS) {
            // Kafka's socket server closes the connection for an API or version it does not serve, without
            // decoding the body.
            log.info("Closing connection from {}: {} v{} is not supported", ctx.channel().remoteAddress(),
                    header.apiKey(), header.apiVersion());
            ctx.close();
            return;
        }
        InFlight slot = new InFlight(header, 0);
        slot.response = ApiVersionsHandler.unsupportedVersionResponse(registry.apiVersionTable());
        slot.responseVersion = 0;
        slot.started = true;
        slot.done = true;
        enqueue(slot);
    }

    private void enqueue(InFlight slot) {
        inFlight.add(slot);
        if (inFlight.size() >= MAX_IN_FLIGHT || queuedBytes >= MAX_QUEUED_BYTES) {
            throttle.gate().pause(ReadGate.Reason.QUEUE_FULL);
            if (!ctx.channel().isWritable() && !loggedNotReading) {
                loggedNotReading = true;
                log.info("Stopped reading from {} on {}: it is not reading its responses ({} bytes wait to be sent)",
                        ctx.channel().remoteAddress(), listenerName, ctx.channel().unsafe().outboundBuffer() == null
                                ? 0 : ctx.channel().unsafe().outboundBuffer().totalPendingWriteBytes());
            }
        }
        drive();
    }

    /**
     * Writes every finished response at the head of the queue, then starts the next request once the one
     * before it has finished and the channel is writable. Like Kafka's socket server, which mutes a connection until its response is
     * sent, a connection has at most one request being handled: an idempotent producer's pipelined
     * batches for a partition are appended in the order they were sent.
     */
    private void drive() {
        if (driving) {
            return;
        }
        driving = true;
        try {
            while (true) {
                writeCompleted();
                InFlight head = inFlight.peekFirst();
                if (head == null || head.started || !ctx.channel().isActive() || !ctx.channel().isWritable()) {
                    break;
                }
                start(head);
            }
        } finally {
            driving = false;
        }
        if (inFlight.size() < MAX_IN_FLIGHT / 2 && queuedBytes < MAX_QUEUED_BYTES / 2) {
            throttle.gate().resume(ReadGate.Reason.QUEUE_FULL);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            drive();
        }
        super.channelWritabilityChanged(ctx);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void start(InFlight slot) {
        slot.started = true;
        queuedBytes -= slot.bytes;
        budget.requestStarted();
        KafkaRequest request = slot.request;
        CompletableFuture<ApiMessage> future;
        ApiHandler handler = registry.handler(request.apiKey());
        if (handler == null || !registry.apiVersionTable().isServed(request.apiKey(), request.apiVersion())) {
            future = CompletableFuture.failedFuture(new UnsupportedVersionException(
                    request.apiKey() + " v" + request.apiVersion() + " is not supported"));
        } else {
            try {
                future = handler.handle(context(request), request.body());
            } catch (Throwable t) {
                future = CompletableFuture.failedFuture(t);
            }
        }
        future.whenComplete((response, error) -> {
            if (ctx.executor().inEventLoop()) {
                complete(slot, request, response, error);
            } else {
                ctx.executor().execute(() -> complete(slot, request, response, error));
            }
        });
    }

    private RequestContext context(KafkaRequest request) {
        InetAddress client = ctx.channel().remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
        return new RequestContext(request.header(), listenerName, client);
    }

    private void complete(InFlight slot, KafkaRequest request, ApiMessage response, Throwable error) {
        try {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof CloseConnectionException close) {
                log.info("Closing connection from {} after {} (correlation id {}, client {}): {}",
                        ctx.channel().remoteAddress(), request.apiKey(), request.correlationId(), request.clientId(),
                        close.getMessage());
                slot.close = true;
            } else {
                slot.response = error == null ? response : errorResponse(request, error);
            }
        } finally {
            slot.done = true;
            slot.request = null;
            request.release();
            throttle.released(slot.bytes);
            budget.requestCompleted();
        }
        drive();
    }

    private ApiMessage errorResponse(KafkaRequest request, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof ApiException)) {
            log.error("Unexpected error handling {} v{} (correlation id {}) from {}", request.apiKey(),
                    request.apiVersion(), request.correlationId(), request.clientId(), cause);
        }
        AbstractRequest body = request.body();
        return body.getErrorResponse(0, cause).data();
    }

    private void writeCompleted() {
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
            InFlight slot = inFlight.pollFirst();
            if (slot.close) {
                abandonQueue();
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
                return;
            }
            if (slot.response == null || !ctx.channel().isActive()) {
                continue;
            }
            RequestHeader header = slot.header;
            List<Object> parts;
            try {
                parts = ResponseSerializer.serialize(ctx.alloc(), header.correlationId(),
                        header.apiKey().responseHeaderVersion(slot.responseVersion), slot.response, slot.responseVersion);
            } catch (RuntimeException e) {
                // A handler built a response its version cannot carry: a broker bug. The client would wait
                // for this response forever, so close the connection, as for any broken exchange.
                log.error("Cannot serialize {} v{} response (correlation id {}); closing the connection from {}",
                        header.apiKey(), slot.responseVersion, header.correlationId(), ctx.channel().remoteAddress(), e);
                abandonQueue();
                ctx.close();
                return;
            }
            for (Object part : parts) {
                ctx.write(part, ctx.voidPromise());
            }
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InFlight head = inFlight.peekFirst();
        long running = head != null && head.started && !head.done ? head.bytes : 0;
        abandonQueue();
        throttle.settle(running);
        super.channelInactive(ctx);
    }

    /**
     * Drops every queued slot; requests never started still hold their frames and give them back. Their
     * bytes stay counted until the connection closes and the throttle settles.
     */
    private void abandonQueue() {
        for (InFlight slot : inFlight) {
            if (!slot.started && slot.request != null) {
                slot.request.release();
                slot.request = null;
            }
        }
        inFlight.clear();
        queuedBytes = 0;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            log.debug("Closing idle connection from {} (connections.max.idle.ms)", ctx.channel().remoteAddress());
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            log.info("Closing connection from {} on {}: {}", ctx.channel().remoteAddress(), listenerName,
                    cause.getMessage());
        } else {
            log.debug("Closing connection from {} after I/O error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
