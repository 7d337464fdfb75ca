package io.sluice.wire;

import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A records field that is a byte range of a log segment, read through the segment's own open channel.
 * {@link ResponseSerializer} turns it into a Netty file region, so the bytes go from the page cache to
 * the socket with sendfile and are never copied into the heap. The channel belongs to the segment and
 * is never closed here; the segment keeps it open for {@code file.delete.delay.ms} after retention
 * renames the file, which outlasts any send. Immutable and thread-safe.
 */
public final class FileRegionRecords implements BaseRecords {

    private final File file;
    private final FileChannel channel;
    private final long position;
    private final int sizeInBytes;

    public FileRegionRecords(File file, FileChannel channel, long position, int sizeInBytes) {
        this.file = file;
        this.channel = channel;
        this.position = position;
        this.sizeInBytes = sizeInBytes;
    }

    public File file() {
        return file;
    }

    public FileChannel channel() {
        return channel;
    }

    public long position() {
        return position;
    }

    @Override
    public int sizeInBytes() {
        return sizeInBytes;
    }

    /** kafka-clients' own send path, used when a response is serialized outside Netty (tests, tools). */
    @Override
    public RecordsSend<FileRegionRecords> toSend() {
        return new RecordsSend<>(this, sizeInBytes) {
            @Override
            protected int writeTo(TransferableChannel target, int previouslyWritten, int remaining) throws IOException {
                return (int) target.transferFrom(channel, position + previouslyWritten, remaining);
            }
        };
    }

    @Override
    public String toString() {
        return "FileRegionRecords(" + file + ", position=" + position + ", size=" + sizeInBytes + ")";
    }
}
