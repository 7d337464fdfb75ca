package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A kafka-clients {@link Writable} over one Netty buffer that is sized up front. Records fields that are
 * file ranges become {@link SharedFileRegion}s between slices of that buffer, so a Fetch response is
 * written as buffer, file, buffer, file, ... without copying record bytes.
 *
 * <p>Not thread-safe: one instance serializes one response.
 */
final class NettyWritable implements Writable {

    private final ByteBuf buffer;
    private final List<Object> parts = new ArrayList<>(2);
    private int sliceStart;

    NettyWritable(ByteBuf buffer) {
        this.buffer = buffer;
        this.sliceStart = buffer.writerIndex();
    }

    @Override
    public void writeByte(byte val) {
        buffer.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        buffer.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        buffer.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        buffer.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        buffer.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        buffer.writeBytes(arr);
    }

    @Override
    public void writeUnsignedVarint(int i) {
        while ((i & 0xFFFFFF80) != 0) {
            buffer.writeByte((i & 0x7F) | 0x80);
            i >>>= 7;
        }
        buffer.writeByte(i);
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        buffer.writeBytes(buf.duplicate());
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long v) {
        long value = (v << 1) ^ (v >> 63);
        while ((value & 0xFFFFFFFFFFFFFF80L) != 0L) {
            buffer.writeByte(((int) value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer.writeByte((int) value);
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof FileRegionRecords region) {
            cutSlice();
            if (region.sizeInBytes() > 0) {
                parts.add(new SharedFileRegion(region.channel(), region.position(), region.sizeInBytes()));
            }
        } else if (records instanceof MemoryRecords memory) {
            buffer.writeBytes(memory.buffer().duplicate());
        } else {
            throw new IllegalArgumentException("cannot write records of type " + records.getClass().getName());
        }
    }

    /** The buffer slices and file regions to write, in order. Hands the buffer's reference to the slices. */
    List<Object> finish() {
        cutSlice();
        buffer.release();
        return parts;
    }

    private void cutSlice() {
        int end = buffer.writerIndex();
        if (end > sliceStart) {
            parts.add(buffer.retainedSlice(sliceStart, end - sliceStart));
        }
        sliceStart = end;
    }
}
