package io.sluice.storage.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;

/**
 * Checks the sizes a compressed payload's own framing declares before any decoder trusts them. snappy-java
 * allocates what a chunk header claims (up to 512 MB for the compressed chunk, and as much again for the
 * uncompressed length the chunk's preamble claims), so a batch of a few hundred bytes could make the broker
 * allocate a gigabyte. Every claim here is checked against the bytes actually sent: a chunk is no longer
 * than what follows it, and it cannot expand beyond what snappy's format can encode (a 3-byte copy tag yields
 * at most 64 bytes, so no valid block grows by more than 64/3).
 *
 * <p>The other codecs need no such check: lz4 blocks are bounded by the frame's declared maximum block size
 * (at most 4 MB, and checked by the decoder), gzip streams through fixed buffers, and zstd bounds its window
 * at 2^27 bytes by default. Decompression bombs of any codec are streamed through, never held.
 *
 * <p>Stateless and thread-safe.
 */
final class CompressedPayloadCheck {

    /** snappy-java's stream header: magic, then version and compatible version. */
    private static final byte[] XERIAL_MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int XERIAL_HEADER_SIZE = XERIAL_MAGIC.length + 2 * Integer.BYTES;
    /** The first four bytes of the magic, read as a chunk size: a concatenated stream's next header. */
    private static final int XERIAL_MAGIC_HEAD = 0x82534E41;

    private CompressedPayloadCheck() {
    }

    /** @param buffer the produce request's records, holding exactly {@code batch} from its position */
    static void check(ByteBuffer buffer, RecordBatch batch, TopicPartition tp) {
        if (batch.compressionType() != CompressionType.SNAPPY) {
            return;
        }
        int start = buffer.position() + DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
        int end = buffer.position() + batch.sizeInBytes();
        if (hasXerialHeader(buffer, start, end)) {
            checkXerialChunks(buffer, start + XERIAL_HEADER_SIZE, end, tp);
        } else {
            // snappy-java reads a payload without its header as one raw block
            checkRawBlock(buffer, start, end - start, tp);
        }
    }

    private static boolean hasXerialHeader(ByteBuffer buffer, int start, int end) {
        if (end - start < XERIAL_HEADER_SIZE) {
            return false;
        }
        for (int i = 0; i < XERIAL_MAGIC.length; i++) {
            if (buffer.get(start + i) != XERIAL_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static void checkXerialChunks(ByteBuffer buffer, int position, int end, TopicPartition tp) {
        while (position < end) {
            if (end - position < Integer.BYTES) {
                throw invalid(tp, "a snappy chunk header is cut off after " + (end - position) + " bytes");
            }
            int chunkSize = buffer.getInt(position);
            if (chunkSize == XERIAL_MAGIC_HEAD && hasXerialHeader(buffer, position, end)) {
                position += XERIAL_HEADER_SIZE;
                continue;
            }
            position += Integer.BYTES;
            if (chunkSize < 0 || chunkSize > end - position) {
                throw invalid(tp, "a snappy chunk claims " + chunkSize + " bytes where " + (end - position)
                        + " follow");
            }
            checkRawBlock(buffer, position, chunkSize, tp);
            position += chunkSize;
        }
    }

    /** A raw snappy block starts with its uncompressed length as a varint. */
    private static void checkRawBlock(ByteBuffer buffer, int position, int size, TopicPartition tp) {
        long uncompressed = 0;
        int shift = 0;
        for (int i = 0; ; i++) {
            if (i >= size || i == 5) {
                throw invalid(tp, "a snappy block's uncompressed length is not a valid varint");
            }
            int b = buffer.get(position + i) & 0xff;
            uncompressed |= (long) (b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        long mostPossible = (long) size * 64 / 3 + 64;
        if (uncompressed > mostPossible) {
            throw invalid(tp, "a snappy block of " + size + " bytes claims to expand to " + uncompressed
                    + " bytes (at most " + mostPossible + " is possible)");
        }
    }

    private static InvalidRecordException invalid(TopicPartition tp, String what) {
        return new InvalidRecordException("Record batch in " + tp + " cannot be read: " + what);
    }
}
