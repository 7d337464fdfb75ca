package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits the byte stream of one connection into Kafka frames: a 4-byte big-endian size, then that
 * many bytes of request. Emits each frame body as a retained slice of the cumulation buffer, so
 * record bytes are never copied on the way in.
 *
 * <p>The size is checked before anything is buffered for it: a size above
 * {@code socket.request.max.bytes} or below the smallest possible request header fails the
 * connection, as Kafka's {@code NetworkReceive} does. One instance per channel; not shareable.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** api_key(2) + api_version(2) + correlation_id(4) + client_id length(2). */
    public static final int MIN_REQUEST_SIZE = 10;

    private final int maxRequestSize;

    public FrameDecoder(int maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        if (size > maxRequestSize) {
            // Drop what is buffered so the connection's close does not decode the same bad prefix again.
            in.skipBytes(in.readableBytes());
            throw new TooLongFrameException("request size " + size + " is larger than socket.request.max.bytes "
                    + maxRequestSize);
        }
        if (size < MIN_REQUEST_SIZE) {
            in.skipBytes(in.readableBytes());
            throw new CorruptedFrameException("request size " + size + " is smaller than a request header");
        }
        if (in.readableBytes() < 4 + size) {
            return;
        }
        in.skipBytes(4);
        out.add(in.readRetainedSlice(size));
    }
}
