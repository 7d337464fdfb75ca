package io.sluice.storage.producer;

import io.sluice.storage.ProducerStateEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;

import io.sluice.storage.log.LogFileNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idempotent producer state of one partition, as Kafka's {@code ProducerStateManager} and
 * {@code ProducerAppendInfo}:
 * <ul>
 *   <li>a batch whose epoch and sequence range equal one of the producer's last five batches is a duplicate: the
 *       append returns the original offsets ({@link #findDuplicate});</li>
 *   <li>an epoch below the current one: {@link InvalidProducerEpochException} (Kafka 4 answers produce with
 *       INVALID_PRODUCER_EPOCH);</li>
 *   <li>a new epoch must start at sequence 0 when the producer had an epoch, else {@link OutOfOrderSequenceException};</li>
 *   <li>within an epoch the first sequence must follow the last one (wrapping after {@code Integer.MAX_VALUE}), else
 *       {@link OutOfOrderSequenceException}; a producer with no known state accepts any sequence (its state may have
 *       been removed by retention or DeleteRecords).</li>
 * </ul>
 * State is persisted as Kafka does: {@link #takeSnapshot} writes {@code <offset>.snapshot} (see
 * {@link ProducerSnapshotFile}) when a segment rolls and at a clean close; on load {@link #loadLatestSnapshot} reads
 * the newest valid snapshot and the caller replays ({@link #replay}) only the batches after its offset.
 *
 * <p>Thread-safety: {@link #validateAppend}, {@link #update}, {@link #replay} and the truncation methods are called by
 * the single writer under the partition lock; {@link #activeProducers} and {@link #findDuplicate} may run
 * concurrently (entries are replaced, never mutated once published).
 */
public final class ProducerStateManager {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);
    private final TopicPartition tp;
    private final Map<Long, ProducerEntry> producers = new ConcurrentHashMap<>();

    public ProducerStateManager(TopicPartition tp) {
        this.tp = tp;
    }

    /** The original batch if {@code batch} duplicates one of the producer's last five. */
    public Optional<BatchMetadata> findDuplicate(RecordBatch batch) {
        ProducerEntry entry = producers.get(batch.producerId());
        return entry == null ? Optional.empty() : entry.findDuplicateBatch(batch);
    }

    /**
     * Checks the epoch and sequence of a leader append at {@code firstOffset} and returns the producer's entry as it
     * will be once the batch is written (not yet applied: pass it to {@link #update}).
     */
    public ProducerEntry validateAppend(RecordBatch batch, long firstOffset) {
        long producerId = batch.producerId();
        ProducerEntry current = producers.getOrDefault(producerId, ProducerEntry.empty(producerId));
        short epoch = batch.producerEpoch();
        if (epoch < current.producerEpoch()) {
            throw new InvalidProducerEpochException("Epoch of producer " + producerId + " at offset " + firstOffset
                    + " in " + tp + " is " + epoch + ", which is smaller than the last seen epoch "
                    + current.producerEpoch());
        }
        int firstSeq = batch.baseSequence();
        if (epoch != current.producerEpoch()) {
            if (firstSeq != 0 && current.producerEpoch() != RecordBatch.NO_PRODUCER_EPOCH) {
                throw new OutOfOrderSequenceException("Invalid sequence number for new epoch of producer " + producerId
                        + " at offset " + firstOffset + " in partition " + tp + ": " + epoch + " (request epoch), "
                        + firstSeq + " (seq. number), " + current.producerEpoch() + " (current producer epoch)");
            }
        } else {
            int lastSeq = current.lastSeq();
            if (current.producerEpoch() != RecordBatch.NO_PRODUCER_EPOCH && !inSequence(lastSeq, firstSeq)) {
                throw new OutOfOrderSequenceException("Out of order sequence number for producer " + producerId
                        + " at offset " + firstOffset + " in partition " + tp + ": " + firstSeq
                        + " (incoming seq. number), " + lastSeq + " (current end sequence number)");
            }
        }
        ProducerEntry updated = current.copy();
        apply(updated, batch, firstOffset);
        return updated;
    }

    private static boolean inSequence(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    private static void apply(ProducerEntry entry, RecordBatch batch, long firstOffset) {
        long lastOffset = batch.lastOffset();
        entry.addBatch(batch.producerEpoch(), batch.lastSequence(), lastOffset, (int) (lastOffset - batch.baseOffset()),
                batch.maxTimestamp());
        if (batch.isTransactional() && entry.currentTxnFirstOffset() < 0) {
            entry.setCurrentTxnFirstOffset(firstOffset);
        }
    }

    /** Publishes an entry returned by {@link #validateAppend} once its batch is in the log. */
    public void update(ProducerEntry entry) {
        producers.put(entry.producerId(), entry);
    }

    /** Replays a batch read from the log during load, without checks (Kafka's replication origin). */
    public void replay(RecordBatch batch) {
        if (!batch.hasProducerId() || batch.isControlBatch()) {
            return;
        }
        ProducerEntry entry = producers.getOrDefault(batch.producerId(), ProducerEntry.empty(batch.producerId())).copy();
        apply(entry, batch, batch.baseOffset());
        producers.put(entry.producerId(), entry);
    }

    /** Forgets producers whose last batch is below the new log start offset (Kafka's {@code truncateHead}). */
    public void truncateHead(long logStartOffset) {
        producers.values().removeIf(e -> e.lastDataOffset() < logStartOffset && e.currentTxnFirstOffset() < 0);
    }

    /** Forgets every producer (before replaying the log again, e.g. after truncation). */
    public void clear() {
        producers.clear();
    }

    /** Removes producers idle for {@code producer.id.expiration.ms}, as Kafka's {@code removeExpiredProducers}. */
    public void removeExpiredProducers(long nowMs, long expirationMs) {
        producers.values().removeIf(e -> e.currentTxnFirstOffset() < 0 && nowMs - e.lastTimestamp() >= expirationMs);
    }

    /** Writes the state as of {@code offset} (every batch below it applied) to {@code <offset>.snapshot} in {@code dir}. */
    public void takeSnapshot(Path dir, long offset) throws IOException {
        ProducerSnapshotFile.write(LogFileNames.producerSnapshotFile(dir, offset).toPath(), List.copyOf(producers.values()));
    }

    /**
     * Replaces the state with the newest valid snapshot in {@code dir}, as Kafka's {@code truncateAndReload}: snapshots
     * above {@code logEndOffset} (left by a truncation) or below {@code logStartOffset} are deleted first, a corrupt
     * one is deleted and the next older one tried. Returns the snapshot's offset (replay the log from there), or empty
     * when there is none (replay from the log start offset).
     */
    public OptionalLong loadLatestSnapshot(Path dir, long logStartOffset, long logEndOffset) throws IOException {
        producers.clear();
        TreeSet<Long> offsets = snapshotOffsets(dir);
        for (long offset : offsets) {
            if (offset > logEndOffset || offset < logStartOffset) {
                deleteSnapshot(dir, offset);
            }
        }
        for (long offset : offsets.subSet(logStartOffset, true, logEndOffset, true).descendingSet()) {
            Path file = LogFileNames.producerSnapshotFile(dir, offset).toPath();
            try {
                for (ProducerEntry entry : ProducerSnapshotFile.read(file)) {
                    producers.put(entry.producerId(), entry);
                }
                return OptionalLong.of(offset);
            } catch (ProducerSnapshotFile.CorruptSnapshotException e) {
                LOG.warn("{}: deleting corrupt producer state snapshot {}: {}", tp, file, e.getMessage());
                producers.clear();
                Files.deleteIfExists(file);
            }
        }
        return OptionalLong.empty();
    }

    /** Deletes {@code <offset>.snapshot} if present (its segment was deleted). */
    public static void deleteSnapshot(Path dir, long offset) throws IOException {
        Files.deleteIfExists(LogFileNames.producerSnapshotFile(dir, offset).toPath());
    }

    /** The offsets of the snapshot files in {@code dir}, ascending. */
    public static TreeSet<Long> snapshotOffsets(Path dir) throws IOException {
        TreeSet<Long> offsets = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> LogFileNames.isSegmentFile(n, LogFileNames.PRODUCER_SNAPSHOT_FILE_SUFFIX))
                    .forEach(n -> offsets.add(LogFileNames.offsetFromFileName(n)));
        }
        return offsets;
    }

    public Optional<ProducerEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    /** Every producer with state, for DescribeProducers. */
    public List<ProducerStateEntry> activeProducers() {
        List<ProducerStateEntry> result = new ArrayList<>();
        for (ProducerEntry e : producers.values()) {
            result.add(e.toPublic());
        }
        return result;
    }
}
