package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameDecoderTest {

    @Test
    void emitsOneFramePerSizePrefixEvenWhenBytesArriveSplit() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf two = Unpooled.buffer();
        two.writeInt(12).writeBytes(new byte[12]).writeInt(10).writeBytes(new byte[10]);
        channel.writeInbound(two.readRetainedSlice(7));
        assertNull(channel.readInbound(), "no frame before all its bytes arrived");
        channel.writeInbound(two.readRetainedSlice(two.readableBytes()));
        two.release();
        ByteBuf first = channel.readInbound();
        ByteBuf second = channel.readInbound();
        assertEquals(12, first.readableBytes());
        assertEquals(10, second.readableBytes());
        first.release();
        second.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void rejectsSizeAboveMaxBeforeBufferingIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf prefix = Unpooled.buffer().writeInt(Integer.MAX_VALUE);
        assertThrows(DecoderException.class, () -> channel.writeInbound(prefix));
        channel.finishAndReleaseAll();
    }

    @Test
    void rejectsSizeSmallerThanAHeader() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        assertThrows(DecoderException.class, () -> channel.writeInbound(Unpooled.buffer().writeInt(3).writeBytes(new byte[3])));
        EmbeddedChannel negative = new EmbeddedChannel(new FrameDecoder(1024));
        assertThrows(DecoderException.class, () -> negative.writeInbound(Unpooled.buffer().writeInt(-5)));
        channel.finishAndReleaseAll();
        negative.finishAndReleaseAll();
    }
}
