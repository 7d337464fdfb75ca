package io.sluice.storage.producer;

import io.sluice.storage.ProducerStateEntry;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The state of one producer id, as Kafka's {@code ProducerStateEntry}: current epoch and the last
 * {@link #NUM_BATCHES_TO_RETAIN} batches (oldest first). Immutable from the outside: updates build a copy that
 * {@link ProducerStateManager} swaps in once the append is written.
 */
public final class ProducerEntry {
    /** Kafka keeps the metadata of the last five batches: a client has at most five requests in flight. */
    public static final int NUM_BATCHES_TO_RETAIN = 5;

    private final long producerId;
    private short producerEpoch;
    private final Deque<BatchMetadata> batches;
    private int coordinatorEpoch = -1;
    private long currentTxnFirstOffset = -1L;
    private long lastTimestamp = RecordBatch.NO_TIMESTAMP;

    ProducerEntry(long producerId, short producerEpoch, Deque<BatchMetadata> batches) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.batches = batches;
    }

    static ProducerEntry empty(long producerId) {
        return new ProducerEntry(producerId, RecordBatch.NO_PRODUCER_EPOCH, new ArrayDeque<>());
    }

    ProducerEntry copy() {
        ProducerEntry copy = new ProducerEntry(producerId, producerEpoch, new ArrayDeque<>(batches));
        copy.coordinatorEpoch = coordinatorEpoch;
        copy.currentTxnFirstOffset = currentTxnFirstOffset;
        copy.lastTimestamp = lastTimestamp;
        return copy;
    }

    public long producerId() {
        return producerId;
    }

    public short producerEpoch() {
        return producerEpoch;
    }

    public boolean isEmpty() {
        return batches.isEmpty();
    }

    /** Last sequence appended, or -1 (Kafka's NO_SEQUENCE). */
    public int lastSeq() {
        return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekLast().lastSeq();
    }

    /** Last offset of the producer's last batch, or -1. */
    public long lastDataOffset() {
        return batches.isEmpty() ? -1L : batches.peekLast().lastOffset();
    }

    public long lastTimestamp() {
        return lastTimestamp;
    }

    public long currentTxnFirstOffset() {
        return currentTxnFirstOffset;
    }

    public List<BatchMetadata> batchMetadata() {
        return List.copyOf(batches);
    }

    /** The retained batch with exactly this epoch and sequence range, as Kafka's {@code findDuplicateBatch}. */
    public Optional<BatchMetadata> findDuplicateBatch(RecordBatch batch) {
        if (batch.producerEpoch() != producerEpoch) {
            return Optional.empty();
        }
        for (BatchMetadata m : batches) {
            if (m.firstSeq() == batch.baseSequence() && m.lastSeq() == batch.lastSequence()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Records a batch; a new epoch forgets the old epoch's batches, as Kafka's {@code addBatch}. */
    void addBatch(short epoch, int lastSeq, long lastOffset, int offsetDelta, long timestamp) {
        if (epoch != producerEpoch) {
            batches.clear();
            producerEpoch = epoch;
        }
        if (batches.size() == NUM_BATCHES_TO_RETAIN) {
            batches.removeFirst();
        }
        batches.addLast(new BatchMetadata(lastSeq, lastOffset, offsetDelta, timestamp));
        lastTimestamp = timestamp;
    }

    void setCurrentTxnFirstOffset(long offset) {
        currentTxnFirstOffset = offset;
    }

    void setEpoch(short epoch) {
        producerEpoch = epoch;
    }

    void setLastTimestamp(long timestamp) {
        lastTimestamp = timestamp;
    }

    int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    void setCoordinatorEpoch(int coordinatorEpoch) {
        this.coordinatorEpoch = coordinatorEpoch;
    }

    ProducerStateEntry toPublic() {
        return new ProducerStateEntry(producerId, producerEpoch, lastSeq(), lastTimestamp, coordinatorEpoch,
                currentTxnFirstOffset);
    }
}
