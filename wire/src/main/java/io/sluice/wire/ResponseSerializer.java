package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

import java.util.List;

/**
 * Serializes a response once: the 4-byte size, the response header in the version the request implies,
 * and the body with its generated {@code write}. Memory records are copied into the one buffer; file
 * records become file regions (see {@link NettyWritable}). Stateless and thread-safe.
 */
public final class ResponseSerializer {

    private ResponseSerializer() {
    }

    /**
     * @return the parts to write to the channel in order: {@code ByteBuf}s and {@code FileRegion}s
     */
    public static List<Object> serialize(ByteBufAllocator allocator, int correlationId, short headerVersion,
                                         ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        int headerSize = header.size(cache, headerVersion);
        MessageSizeAccumulator bodySize = new MessageSizeAccumulator();
        body.addSize(bodySize, cache, version);
        int frameSize = headerSize + bodySize.totalSize();
        // Memory records are copied in and may grow the buffer past this; file records never are.
        ByteBuf buffer = allocator.buffer(4 + headerSize + bodySize.sizeExcludingZeroCopy());
        NettyWritable writable = new NettyWritable(buffer);
        try {
            writable.writeInt(frameSize);
            header.write(writable, cache, headerVersion);
            body.write(writable, cache, version);
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
        return writable.finish();
    }
}
