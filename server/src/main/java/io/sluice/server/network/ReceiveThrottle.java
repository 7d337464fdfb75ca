package io.sluice.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * The first handler of a connection: counts the bytes it passes on against the broker's
 * {@link RequestBudget}, and while the budget is exhausted starts no new request. It follows the frame
 * boundaries of the byte stream (the 4-byte sizes) so that the decision is taken between requests: a
 * connection in the middle of a request reads it to the end, which is what lets the requests that hold
 * the budget complete and give it back, and one whose next bytes begin a new request stops reading.
 * What such a connection had already read (one socket read) is parked here, undecoded and not counted,
 * until there is room again, so a connection that arrives while the broker is over budget is not served
 * ahead of the others. The {@link RequestDispatcher} gives the bytes back as requests are answered, and
 * {@link #settle} returns what a closed connection still held.
 *
 * <p>One instance per channel; its state is touched on the channel's event loop only, except
 * {@link #wake}, which hands over to the event loop.
 */
final class ReceiveThrottle extends ChannelInboundHandlerAdapter {

    private final RequestBudget budget;
    private final ArrayDeque<Object> parked = new ArrayDeque<>();
    private ReadGate gate;
    private ChannelHandlerContext ctx;
    /** Bytes passed on and not yet given back. */
    private long held;
    /** Frame tracking: bytes of the current frame still to come, and the size prefix read so far. */
    private long frameRemaining;
    private int sizeBytesSeen;
    private int size;

    ReceiveThrottle(RequestBudget budget) {
        this.budget = budget;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.gate = new ReadGate(ctx.channel());
    }

    ReadGate gate() {
        return gate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (atFrameBoundary() && (gate.isPaused(ReadGate.Reason.BROKER_BUSY) || budget.exhausted())) {
            parked.add(msg);
            pause();
        } else {
            passOn(msg);
        }
    }

    private void passOn(Object msg) {
        if (msg instanceof ByteBuf bytes) {
            held += bytes.readableBytes();
            budget.received(bytes.readableBytes());
            track(bytes);
        }
        ctx.fireChannelRead(msg);
    }

    /** Follows the size prefixes through {@code bytes} without consuming them (the decoder does that). */
    private void track(ByteBuf bytes) {
        int index = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (index < end) {
            if (frameRemaining > 0) {
                int skip = (int) Math.min(frameRemaining, end - index);
                frameRemaining -= skip;
                index += skip;
            } else {
                size = size << 8 | bytes.getByte(index++) & 0xff;
                if (++sizeBytesSeen == Integer.BYTES) {
                    // a negative size fails the connection in the decoder; until then it is an empty frame
                    frameRemaining = Math.max(size, 0);
                    sizeBytesSeen = 0;
                    size = 0;
                }
            }
        }
    }

    private boolean atFrameBoundary() {
        return frameRemaining == 0 && sizeBytesSeen == 0;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (atFrameBoundary() && budget.exhausted()) {
            pause();
        }
        ctx.fireChannelReadComplete();
    }

    /** Called by the dispatcher, on the event loop, for each answered or dropped frame. */
    void released(long count) {
        held -= count;
        budget.released(count);
    }

    /**
     * The connection closed: everything it still holds goes back, except {@code stillRunning} bytes of a
     * request whose handler has not finished, which {@link #released} returns later.
     */
    void settle(long stillRunning) {
        long rest = held - stillRunning;
        held = stillRunning;
        budget.released(rest);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Object msg;
        while ((msg = parked.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        super.channelInactive(ctx);
    }

    private void pause() {
        if (!gate.isPaused(ReadGate.Reason.BROKER_BUSY) && ctx.channel().isActive()) {
            gate.pause(ReadGate.Reason.BROKER_BUSY);
            budget.await(this);
        }
    }

    /** There is room again: pass on what was parked and resume, on the event loop; or wait again if others took it. */
    void wake() {
        ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (budget.exhausted()) {
                budget.await(this);
                return;
            }
            if (!parked.isEmpty()) {
                Object msg;
                while ((msg = parked.poll()) != null) {
                    passOn(msg);
                }
                ctx.fireChannelReadComplete();
            }
            gate.resume(ReadGate.Reason.BROKER_BUSY);
        });
    }
}
