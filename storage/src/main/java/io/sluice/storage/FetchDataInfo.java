package io.sluice.storage;

import java.io.File;
import java.nio.channels.FileChannel;

/**
 * The answer to {@link PartitionLog#read}: a slice of one segment file holding whole record batches, to be sent as is
 * (zero copy). An empty result has a {@code null} file and size 0.
 *
 * <p>Prefer {@link PartitionLog#readRecords}, which returns a {@code FileRecords} slice on the segment's open channel:
 * the path here is renamed to {@code .deleted} when retention removes the segment. If you open the file yourself,
 * release it with {@code FileRecords.closeHandlers()}, never {@code close()}: {@code close()} trims the file to the
 * size it saw when opened, which truncates a segment that is still being appended to.
 *
 * @param fetchOffset the offset that was asked for
 * @param file        the segment {@code .log} file, or {@code null} when empty
 * @param channel     the segment's open channel, shared and owned by the segment: read from it with positional
 *                    reads or sendfile, never close it. It stays readable for {@code file.delete.delay.ms} after
 *                    retention renames the file. {@code null} when empty
 * @param position    byte position of the first batch in {@code file}
 * @param sizeInBytes number of bytes from {@code position}; always a whole number of batches
 */
public record FetchDataInfo(long fetchOffset, File file, FileChannel channel, long position, int sizeInBytes) {

    /** No data at {@code fetchOffset} (at the log end offset or the high watermark, or maxBytes too small). */
    public static FetchDataInfo empty(long fetchOffset) {
        return new FetchDataInfo(fetchOffset, null, null, 0L, 0);
    }

    /** True when there are no bytes to send. */
    public boolean isEmpty() {
        return sizeInBytes == 0;
    }
}
