package io.sluice.server.partition;

import io.sluice.storage.FetchDataInfo;
import io.sluice.storage.PartitionLog;
import org.apache.kafka.common.errors.KafkaStorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Reads fields of the batch holding an offset straight from its segment file. Used where Kafka asks its
 * leader-epoch cache for the epoch of an offset ({@code epochForOffset}): the batch's partition leader
 * epoch is the same number. Stateless.
 */
final class BatchHeaders {

    /** Byte position of {@code partitionLeaderEpoch} in a v2 batch: after baseOffset (8) and batchLength (4). */
    private static final int PARTITION_LEADER_EPOCH_OFFSET = 12;

    private BatchHeaders() {
    }

    /** The leader epoch of the batch containing {@code offset}, empty when there is none (empty log). */
    static Optional<Integer> epochAt(PartitionLog log, long offset) {
        FetchDataInfo info;
        try {
            info = log.read(offset, 1, Long.MAX_VALUE, true);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (info.isEmpty()) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(info.file().toPath(), StandardOpenOption.READ)) {
            ByteBuffer epoch = ByteBuffer.allocate(4);
            long position = info.position() + PARTITION_LEADER_EPOCH_OFFSET;
            while (epoch.hasRemaining()) {
                if (channel.read(epoch, position + epoch.position()) < 0) {
                    return Optional.empty();
                }
            }
            int value = epoch.getInt(0);
            return value < 0 ? Optional.empty() : Optional.of(value);
        } catch (IOException e) {
            throw new KafkaStorageException("cannot read batch header of " + info.file(), e);
        }
    }
}
