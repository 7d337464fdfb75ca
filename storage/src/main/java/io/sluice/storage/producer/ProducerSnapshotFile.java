package io.sluice.storage.producer;

import io.sluice.storage.checkpoint.AtomicFiles;
import org.apache.kafka.common.errors.CorruptRecordException;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Kafka's producer state snapshot, {@code <20-digit offset>.snapshot} in the partition dir: the producer state as it
 * was just before {@code offset}. The layout is Kafka's {@code ProducerSnapshot} message (version 1, big-endian, no
 * tagged fields), so {@code kafka-dump-log} reads it:
 * <pre>
 * version                  int16   1
 * crc                      uint32  CRC32C of every byte after this field
 * producer_entries         int32 count, then per producer:
 *   producer_id            int64
 *   epoch                  int16
 *   last_sequence          int32
 *   last_offset            int64   last offset of its last batch (-1 if none)
 *   offset_delta           int32   last offset - first offset of that batch
 *   timestamp              int64   max timestamp of that batch
 *   coordinator_epoch      int32
 *   current_txn_first_offset int64 -1 when no transaction is open
 * </pre>
 * As in Kafka only the producer's last batch is kept, so after a restart a retry of that batch is still a
 * duplicate. Written to a temp file, fsynced and renamed. Stateless.
 */
public final class ProducerSnapshotFile {
    static final short VERSION = 1;
    private static final int HEADER_BYTES = 2 + 4;
    private static final int ENTRY_BYTES = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

    private ProducerSnapshotFile() {
    }

    /** Thrown for a snapshot whose version, length or CRC is wrong: the caller deletes it and replays the log. */
    public static final class CorruptSnapshotException extends CorruptRecordException {
        CorruptSnapshotException(String message) {
            super(message);
        }
    }

    public static void write(Path file, Collection<ProducerEntry> entries) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 4 + entries.size() * ENTRY_BYTES);
        buf.putShort(VERSION);
        buf.putInt(0); // crc, below
        buf.putInt(entries.size());
        for (ProducerEntry e : entries) {
            BatchMetadata last = e.batchMetadata().isEmpty() ? null : e.batchMetadata().get(e.batchMetadata().size() - 1);
            buf.putLong(e.producerId());
            buf.putShort(e.producerEpoch());
            buf.putInt(last == null ? -1 : last.lastSeq());
            buf.putLong(last == null ? -1L : last.lastOffset());
            buf.putInt(last == null ? 0 : last.offsetDelta());
            buf.putLong(e.lastTimestamp());
            buf.putInt(e.coordinatorEpoch());
            buf.putLong(e.currentTxnFirstOffset());
        }
        byte[] bytes = buf.array();
        ByteBuffer.wrap(bytes).putInt(2, (int) crc(bytes));
        AtomicFiles.write(file, bytes);
    }

    /** The producers of a snapshot; {@link CorruptSnapshotException} when it fails its checks. */
    public static List<ProducerEntry> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            short version = buf.getShort();
            if (version != VERSION) {
                throw new CorruptSnapshotException("Snapshot " + file + " has unknown version " + version);
            }
            long crc = Integer.toUnsignedLong(buf.getInt());
            if (crc != crc(bytes)) {
                throw new CorruptSnapshotException("Snapshot " + file + " is corrupt: CRC " + crc + " does not match "
                        + crc(bytes));
            }
            int count = buf.getInt();
            if (count < 0 || (long) count * ENTRY_BYTES != buf.remaining()) {
                throw new CorruptSnapshotException("Snapshot " + file + " has " + buf.remaining()
                        + " bytes for " + count + " producers");
            }
            List<ProducerEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long producerId = buf.getLong();
                short epoch = buf.getShort();
                int lastSeq = buf.getInt();
                long lastOffset = buf.getLong();
                int offsetDelta = buf.getInt();
                long timestamp = buf.getLong();
                int coordinatorEpoch = buf.getInt();
                long txnFirstOffset = buf.getLong();
                ProducerEntry entry = ProducerEntry.empty(producerId);
                entry.setEpoch(epoch);
                if (lastOffset >= 0) {
                    entry.addBatch(epoch, lastSeq, lastOffset, offsetDelta, timestamp);
                }
                entry.setLastTimestamp(timestamp);
                entry.setCoordinatorEpoch(coordinatorEpoch);
                entry.setCurrentTxnFirstOffset(txnFirstOffset);
                entries.add(entry);
            }
            return entries;
        } catch (BufferUnderflowException e) {
            throw new CorruptSnapshotException("Snapshot " + file + " is truncated (" + bytes.length + " bytes)");
        }
    }

    private static long crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
        return crc.getValue();
    }
}
