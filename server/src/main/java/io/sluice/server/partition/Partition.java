package io.sluice.server.partition;

import io.sluice.server.metadata.PartitionState;
import io.sluice.storage.FetchDataInfo;
import io.sluice.storage.LogAppendResult;
import io.sluice.storage.PartitionLog;
import io.sluice.storage.TimestampAndOffset;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ListOffsetsRequest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One partition hosted by this broker: its log, its leadership as the metadata image last said, and the
 * high watermark, as Kafka's {@code Partition}.
 *
 * <p>The high watermark is the smallest log end offset among the ISR (this broker's own, and the
 * positions followers reported in their fetches). With ISR = {self} it is the log end offset right after
 * each append. It only moves forward.
 *
 * <p>Thread-safe. Leadership is an immutable {@link LeaderState} swapped by the metadata thread; appends
 * are serialized by the log itself; no lock of this class is held across I/O (only the short
 * high-watermark update takes one).
 */
public final class Partition {

    private final TopicPartition topicPartition;
    private final int localBrokerId;
    private final PartitionLog log;
    private final Map<Integer, Long> followerLogEndOffsets = new ConcurrentHashMap<>();
    private final Object highWatermarkLock = new Object();
    private volatile LeaderState leaderState = LeaderState.OFFLINE;

    public Partition(TopicPartition topicPartition, int localBrokerId, PartitionLog log) {
        this.topicPartition = topicPartition;
        this.localBrokerId = localBrokerId;
        this.log = log;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return log.topicId();
    }

    public PartitionLog log() {
        return log;
    }

    public LeaderState leaderState() {
        return leaderState;
    }

    public boolean isLeader() {
        return leaderState.isLeader();
    }

    /**
     * Applies the partition state from the image: leader when it names this broker, follower otherwise.
     * On becoming leader the followers' positions are forgotten (they report again when they fetch).
     */
    public void applyState(PartitionState state) {
        LeaderState previous = leaderState;
        boolean leader = state.leader() == localBrokerId;
        leaderState = new LeaderState(state.leader(), state.leaderEpoch(), leader, List.copyOf(state.replicas()),
                List.copyOf(state.isr()), state.partitionEpoch());
        if (leader && (!previous.isLeader() || previous.leaderEpoch() != state.leaderEpoch())) {
            followerLogEndOffsets.clear();
            // as Kafka's makeLeader: the new epoch starts at the log end offset (OffsetForLeaderEpoch, KIP-101)
            log.assignEpochStartOffsetAtLogEnd(state.leaderEpoch());
        }
        if (leader) {
            maybeIncrementHighWatermark();
        }
    }

    /** Stops serving: neither leader nor follower (topic being deleted, replica moved away). */
    public void makeOffline() {
        leaderState = LeaderState.OFFLINE;
    }

    /**
     * Checks the client's view of the leader epoch (KIP-320), then leadership, as Kafka's
     * {@code Partition.getLocalLog}: an older epoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH.
     *
     * @return the leader state the caller should act on
     */
    public LeaderState checkLeader(Optional<Integer> currentLeaderEpoch, boolean requireLeader) {
        LeaderState state = leaderState;
        if (currentLeaderEpoch.isPresent() && currentLeaderEpoch.get() >= 0) {
            int epoch = currentLeaderEpoch.get();
            if (epoch < state.leaderEpoch()) {
                throw new FencedLeaderEpochException("leader epoch " + epoch + " of " + topicPartition
                        + " is older than the current " + state.leaderEpoch());
            } else if (epoch > state.leaderEpoch()) {
                throw new UnknownLeaderEpochException("leader epoch " + epoch + " of " + topicPartition
                        + " is newer than the current " + state.leaderEpoch());
            }
        }
        if (requireLeader && !state.isLeader()) {
            throw new NotLeaderOrFollowerException("broker " + localBrokerId + " is not the leader of " + topicPartition);
        }
        return state;
    }

    /**
     * Appends as leader, stamping the leader epoch into the batches, then moves the high watermark. An acks=all
     * append to an ISR smaller than {@code min.insync.replicas} is refused before anything is written, as Kafka's
     * {@code Partition.appendRecordsToLeader}: NOT_ENOUGH_REPLICAS.
     */
    public LogAppendResult appendRecordsToLeader(MemoryRecords records, short requiredAcks) {
        LeaderState state = checkLeader(Optional.empty(), true);
        if (requiredAcks == -1 && isUnderMinIsr(state)) {
            throw new NotEnoughReplicasException("the ISR of " + topicPartition + " is " + state.isr()
                    + ", smaller than min.insync.replicas " + effectiveMinIsr(state));
        }
        LogAppendResult result = log.appendAsLeader(records, state.leaderEpoch());
        maybeIncrementHighWatermark();
        return result;
    }

    /**
     * Records where a follower has fetched to (its log end offset) and moves the high watermark. For
     * replication: followers in the ISR hold the high watermark back until they catch up.
     */
    public void updateFollowerFetchState(int replicaId, long fetchOffset) {
        followerLogEndOffsets.merge(replicaId, fetchOffset, Math::max);
        maybeIncrementHighWatermark();
    }

    /**
     * HW = min over the ISR of their log end offsets, never moving backwards.
     *
     * @return true if the high watermark moved
     */
    public boolean maybeIncrementHighWatermark() {
        synchronized (highWatermarkLock) {
            LeaderState state = leaderState;
            if (!state.isLeader()) {
                return false;
            }
            long newHighWatermark = log.logEndOffset();
            for (int replica : state.isr()) {
                if (replica != localBrokerId) {
                    newHighWatermark = Math.min(newHighWatermark, followerLogEndOffsets.getOrDefault(replica, 0L));
                }
            }
            if (newHighWatermark > log.highWatermark()) {
                log.updateHighWatermark(newHighWatermark);
                return true;
            }
            return false;
        }
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /** True when the ISR is smaller than {@code min.insync.replicas}: acks=all cannot be promised. */
    public boolean isUnderMinIsr() {
        return isUnderMinIsr(leaderState);
    }

    private boolean isUnderMinIsr(LeaderState state) {
        return state.isr().size() < effectiveMinIsr(state);
    }

    /**
     * {@code min.insync.replicas}, capped at the replication factor as Kafka's {@code Partition.effectiveMinIsr}:
     * Kafka puts no bound on the config, so a topic of one replica with min.insync.replicas=2 takes acks=all.
     */
    private int effectiveMinIsr(LeaderState state) {
        return Math.min(log.config().minInSyncReplicas(), Math.max(1, state.replicas().size()));
    }

    /** The last stable offset: the high watermark until transactions exist (a later issue). */
    public long lastStableOffset() {
        return log.highWatermark();
    }

    public long logStartOffset() {
        return log.logStartOffset();
    }

    public long logEndOffset() {
        return log.logEndOffset();
    }

    /** The offset a fetch with this isolation may read up to, exclusive. */
    public long fetchableEnd(FetchIsolation isolation) {
        return switch (isolation) {
            case LOG_END -> log.logEndOffset();
            case HIGH_WATERMARK -> log.highWatermark();
            case TXN_COMMITTED -> lastStableOffset();
        };
    }

    /**
     * Reads whole batches from {@code fetchOffset}, as Kafka's {@code Partition.fetchRecords}. Offsets in the
     * result are taken before the read, so the records never go past the high watermark reported with them.
     *
     * @throws OffsetOutOfRangeException when {@code fetchOffset} is outside [log start, log end]
     */
    public LogReadResult read(FetchPartition fetch, FetchParams params, int maxBytes, boolean minOneMessage) {
        checkLeader(fetch.currentLeaderEpoch(), true);
        long highWatermark = log.highWatermark();
        long lastStableOffset = lastStableOffset();
        long logStartOffset = log.logStartOffset();
        long logEndOffset = log.logEndOffset();
        long maxOffset = switch (params.isolation()) {
            case LOG_END -> logEndOffset;
            case HIGH_WATERMARK -> highWatermark;
            case TXN_COMMITTED -> lastStableOffset;
        };
        FetchDataInfo info = log.read(fetch.fetchOffset(), maxBytes, maxOffset, minOneMessage);
        if (params.isFromFollower()) {
            updateFollowerFetchState(params.replicaId(), fetch.fetchOffset());
        }
        return new LogReadResult(info, highWatermark, lastStableOffset, logStartOffset, logEndOffset, null);
    }

    /**
     * ListOffsets for one partition, as Kafka's {@code Partition.fetchOffsetForTimestamp} with no tiered
     * storage. Consumers ({@code isolation} present) see offsets up to the high watermark (or the last
     * stable offset with read_committed); {@code null} isolation is a replica or debug request, which sees
     * up to the log end.
     *
     * @return empty when no record has a timestamp at or after {@code timestamp}
     */
    public Optional<TimestampAndOffset> fetchOffsetForTimestamp(long timestamp, FetchIsolation isolation,
                                                                Optional<Integer> currentLeaderEpoch) {
        LeaderState state = checkLeader(currentLeaderEpoch, true);
        long lastFetchableOffset = isolation == null ? log.logEndOffset() : fetchableEnd(isolation);
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            long start = log.logStartOffset();
            return Optional.of(new TimestampAndOffset(-1L, start, BatchHeaders.epochAt(log, start)));
        }
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return Optional.of(new TimestampAndOffset(-1L, lastFetchableOffset, Optional.of(state.leaderEpoch())));
        }
        if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP
                || timestamp == ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
            // Kafka without remote storage: no offset, and epoch -1.
            return Optional.of(new TimestampAndOffset(-1L, -1L, Optional.of(-1)));
        }
        if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            TimestampAndOffset max = log.maxTimestampOffset();
            return Optional.of(max);
        }
        return log.offsetForTimestamp(timestamp)
                .filter(found -> isolation == null || found.offset() < lastFetchableOffset);
    }

    /**
     * DeleteRecords on the leader, as Kafka's {@code Partition.deleteRecordsOnLeader}: -1 means the high
     * watermark; beyond it is OFFSET_OUT_OF_RANGE; compact-only topics refuse.
     *
     * @return the low watermark: the new log start offset (with followers, the smallest among replicas)
     */
    public long deleteRecordsOnLeader(long offset) {
        checkLeader(Optional.empty(), true);
        if (!log.config().delete()) {
            throw new PolicyViolationException("Records of partition " + topicPartition
                    + " can not be deleted due to the configured policy");
        }
        long highWatermark = log.highWatermark();
        long converted = offset == -1L ? highWatermark : offset;
        if (converted < 0 || converted > highWatermark) {
            throw new OffsetOutOfRangeException("Cannot increment the log start offset to " + converted + " of partition "
                    + topicPartition + " since it is larger than the high watermark " + highWatermark);
        }
        return log.deleteRecordsBefore(converted);
    }

    @Override
    public String toString() {
        return "Partition(" + topicPartition + ", " + leaderState + ")";
    }
}
