package io.sluice.server.partition;

import io.sluice.server.metadata.PartitionState;
import io.sluice.storage.EpochEndOffset;
import io.sluice.storage.FetchDataInfo;
import io.sluice.storage.LogAppendResult;
import io.sluice.storage.PartitionLog;
import io.sluice.storage.TimestampAndOffset;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetNotAvailableException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ListOffsetsRequest;

import io.sluice.server.metadata.IsrChange;
import io.sluice.server.metadata.IsrChangeResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;

/**
 * One partition hosted by this broker: its log, its role as the metadata image last said, and, as leader, the
 * followers' positions, the ISR and the high watermark, as Kafka's {@code Partition}.
 *
 * <p>The role follows the partition state the controller wrote, applied only when newer (by leader epoch, then by
 * partition epoch, the state znode's version), never older:
 *
 * <pre>
 * role       | state names this broker as                        | serves
 * -----------+---------------------------------------------------+-------------------------------------------
 * OFFLINE    | nothing yet, or the topic is being deleted        | NOT_LEADER_OR_FOLLOWER to everyone
 * LEADER     | leader                                            | produce, consumer and follower fetches
 * FOLLOWER   | a replica, another broker (or none, -1) as leader | NOT_LEADER_OR_FOLLOWER; fetches from the leader
 * </pre>
 *
 * Any leader epoch change is a new role, even with the same leader: followers restart fetching (and truncate by
 * epoch), a leader forgets its followers' positions and records where its epoch starts.
 *
 * <p>As leader it tracks each follower ({@link ReplicaState}) and keeps Kafka's ISR rules:
 * <ul>
 *   <li>the high watermark is the smallest log end offset over the <em>maximal</em> ISR (the committed ISR plus a
 *       member whose addition is in flight), only moves forward, and does not move at all while the committed ISR is
 *       smaller than {@code min.insync.replicas};</li>
 *   <li>a member not caught up for {@code replica.lag.time.max.ms} is proposed for removal; a replica outside the ISR
 *       whose log reaches both the high watermark and the start of the current leader epoch is proposed for addition
 *       (Kafka's {@code isFollowerInSync}: otherwise it could lead without committed records);</li>
 *   <li>one change is in flight at a time, sent to the controller ({@link IsrChangeSender}); its answer, or a newer
 *       partition state from the image, commits it.</li>
 * </ul>
 *
 * <p>Thread-safe. Leadership is an immutable {@link LeaderState} read without locks; the ISR bookkeeping and follower
 * states are guarded by this object's lock, which is never held across I/O; appends are serialized by the log.
 */
public final class Partition {

    private final TopicPartition topicPartition;
    private final int localBrokerId;
    private final PartitionLog log;
    private final IsrChangeSender isrChangeSender;
    private final LongSupplier clock;
    private final Runnable onIsrChangeAnswered;
    private volatile LeaderState leaderState = LeaderState.OFFLINE;
    /**
     * Appends and truncations hold it shared, role changes exclusively (Kafka's {@code leaderIsrUpdateLock}): a
     * follower's append from the old leader cannot land after this broker became leader, nor a leader's append after
     * it became a follower.
     */
    private final ReentrantReadWriteLock roleLock = new ReentrantReadWriteLock();

    // ---- guarded by this
    private final Map<Integer, ReplicaState> replicas = new HashMap<>();
    /** The ISR change sent to the controller and not answered yet, or null. */
    private IsrChange pendingIsrChange;
    private long leaderEpochStartOffset = -1L;

    public Partition(TopicPartition topicPartition, int localBrokerId, PartitionLog log) {
        this(topicPartition, localBrokerId, log, IsrChangeSender.NONE, System::currentTimeMillis, () -> { });
    }

    /**
     * @param onIsrChangeAnswered run after the controller's answer to an ISR change was applied (the ISR, and so the
     *                            high watermark, may have moved); on the thread that received the answer
     */
    public Partition(TopicPartition topicPartition, int localBrokerId, PartitionLog log, IsrChangeSender isrChangeSender,
                     LongSupplier clock, Runnable onIsrChangeAnswered) {
        this.topicPartition = topicPartition;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.isrChangeSender = isrChangeSender;
        this.clock = clock;
        this.onIsrChangeAnswered = onIsrChangeAnswered;
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
     * Applies the partition state from the image, unless it is older than what this broker acts on (a lower leader
     * epoch, or the same epoch at a lower partition epoch: the answer to an ISR change may have come first). On a new
     * leader epoch as leader, the epoch starts at the log end offset and the followers' positions are forgotten.
     *
     * @return true when the role or the leader epoch changed (followers must restart fetching)
     */
    public boolean applyState(PartitionState state) {
        roleLock.writeLock().lock();
        try {
            return applyStateUnderLock(state);
        } finally {
            roleLock.writeLock().unlock();
        }
    }

    private boolean applyStateUnderLock(PartitionState state) {
        synchronized (this) {
            LeaderState previous = leaderState;
            if (previous != LeaderState.OFFLINE && (state.leaderEpoch() < previous.leaderEpoch()
                    || (state.leaderEpoch() == previous.leaderEpoch()
                    && state.partitionEpoch() <= previous.partitionEpoch()))) {
                return false;
            }
            boolean leader = state.leader() == localBrokerId;
            boolean newEpoch = previous.isLeader() != leader || previous.leaderEpoch() != state.leaderEpoch()
                    || previous == LeaderState.OFFLINE;
            leaderState = new LeaderState(state.leader(), state.leaderEpoch(), leader, List.copyOf(state.replicas()),
                    List.copyOf(state.isr()), state.partitionEpoch());
            // a newer committed state replaces any change in flight; its late answer is then ignored
            pendingIsrChange = null;
            replicas.keySet().retainAll(state.replicas());
            if (leader) {
                long now = clock.getAsLong();
                for (int replica : state.replicas()) {
                    if (replica != localBrokerId) {
                        ReplicaState follower = replicas.computeIfAbsent(replica, r -> new ReplicaState());
                        if (newEpoch) {
                            follower.reset(state.isr().contains(replica), now);
                        }
                    }
                }
                if (newEpoch) {
                    // as Kafka's makeLeader: the new epoch starts at the log end offset (OffsetForLeaderEpoch, KIP-101)
                    leaderEpochStartOffset = log.logEndOffset();
                    log.assignEpochStartOffsetAtLogEnd(state.leaderEpoch());
                }
            } else {
                replicas.clear();
                leaderEpochStartOffset = -1L;
            }
            if (leader) {
                maybeIncrementHighWatermark();
            }
            return newEpoch;
        }
    }

    /** Stops serving: neither leader nor follower (topic being deleted, replica moved away). */
    public void makeOffline() {
        roleLock.writeLock().lock();
        try {
            synchronized (this) {
                leaderState = LeaderState.OFFLINE;
                pendingIsrChange = null;
                replicas.clear();
            }
        } finally {
            roleLock.writeLock().unlock();
        }
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
        roleLock.readLock().lock();
        try {
            LeaderState state = checkLeader(Optional.empty(), true);
            if (requiredAcks == -1 && isUnderMinIsr(state)) {
                throw new NotEnoughReplicasException("The size of the current ISR " + state.isr()
                        + " is insufficient to satisfy the min.isr requirement of " + effectiveMinIsr(state)
                        + " for partition " + topicPartition);
            }
            LogAppendResult result = log.appendAsLeader(records, state.leaderEpoch());
            maybeIncrementHighWatermark();
            return result;
        } finally {
            roleLock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- as follower

    /**
     * Appends batches fetched from the leader, keeping their offsets and epochs (producer state and the epoch cache
     * are rebuilt from them, so this replica deduplicates retries as the leader does if it becomes leader), then
     * takes the leader's high watermark, bounded by its own log end. Refused once this broker is no longer a follower
     * at {@code leaderEpoch}.
     */
    public void appendRecordsAsFollower(MemoryRecords records, int leaderEpoch, long leaderHighWatermark) {
        roleLock.readLock().lock();
        try {
            checkFollowing(leaderEpoch);
            if (records.sizeInBytes() > 0) {
                log.appendAsFollower(records);
            }
            // Kafka's follower high watermark: min(leader's, own log end offset), clamped by the log; it may go down
            // when a new leader's high watermark lags
            log.updateHighWatermark(leaderHighWatermark);
        } finally {
            roleLock.readLock().unlock();
        }
    }

    /**
     * Truncates as a follower at {@code leaderEpoch} whose log diverged from the leader's (by leader epoch, never to
     * the high watermark).
     */
    public void truncateTo(long offset, int leaderEpoch) {
        roleLock.readLock().lock();
        try {
            checkFollowing(leaderEpoch);
            log.truncateTo(offset);
        } finally {
            roleLock.readLock().unlock();
        }
    }

    /**
     * Empties the log of a follower at {@code leaderEpoch} whose log ends before the leader's log start, and
     * restarts it at that offset (it fetches from there).
     */
    public void truncateFullyAndStartAt(long offset, int leaderEpoch) {
        roleLock.readLock().lock();
        try {
            checkFollowing(leaderEpoch);
            log.truncateFullyAndStartAt(offset);
        } finally {
            roleLock.readLock().unlock();
        }
    }

    private void checkFollowing(int leaderEpoch) {
        LeaderState state = leaderState;
        if (state.isLeader() || state == LeaderState.OFFLINE || state.leaderEpoch() != leaderEpoch) {
            throw new NotLeaderOrFollowerException("broker " + localBrokerId + " no longer follows " + topicPartition
                    + " at leader epoch " + leaderEpoch);
        }
    }

    // ---------------------------------------------------------------- as leader: followers and the ISR

    /**
     * Records a follower's fetch at {@code fetchOffset} (its log end offset), then moves the high watermark and, when
     * the follower has caught up, proposes adding it to the ISR.
     *
     * @param leaderLogEndOffset the leader's log end offset before the read that served the fetch
     * @param liveBrokers        whether a broker is registered: only a live broker joins the ISR
     * @throws NotLeaderOrFollowerException when {@code replicaId} is not a replica of this partition
     */
    public void updateFollowerFetchState(int replicaId, long fetchOffset, long leaderLogEndOffset, long brokerEpoch,
                                         IntPredicate liveBrokers) {
        synchronized (this) {
            ReplicaState follower = replicas.get(replicaId);
            if (!leaderState.isLeader() || follower == null) {
                throw new NotLeaderOrFollowerException("broker " + replicaId + " is not a follower of "
                        + topicPartition + " led by " + localBrokerId);
            }
            follower.updateFetchState(fetchOffset, leaderLogEndOffset, clock.getAsLong(), brokerEpoch);
            maybeExpandIsr(replicaId, follower, liveBrokers);
            maybeIncrementHighWatermark();
        }
    }

    private void maybeExpandIsr(int replicaId, ReplicaState follower, IntPredicate liveBrokers) {
        LeaderState state = leaderState;
        if (pendingIsrChange != null || state.isr().contains(replicaId) || !liveBrokers.test(replicaId)) {
            return;
        }
        if (follower.logEndOffset >= log.highWatermark() && follower.logEndOffset >= leaderEpochStartOffset) {
            List<Integer> newIsr = new ArrayList<>(state.isr());
            newIsr.add(replicaId);
            submitIsrChange(state, newIsr);
        }
    }

    /**
     * Proposes removing the ISR members that have not caught up within {@code maxLagMs}, as Kafka's
     * {@code maybeShrinkIsr}, run every half of {@code replica.lag.time.max.ms}.
     *
     * @return the members proposed for removal (empty when none, or when another change is in flight)
     */
    public List<Integer> maybeShrinkIsr(long maxLagMs) {
        synchronized (this) {
            LeaderState state = leaderState;
            if (!state.isLeader() || pendingIsrChange != null) {
                return List.of();
            }
            long now = clock.getAsLong();
            long leaderLogEnd = log.logEndOffset();
            List<Integer> outOfSync = new ArrayList<>();
            for (int member : state.isr()) {
                ReplicaState follower = replicas.get(member);
                if (member != localBrokerId && (follower == null || !follower.isCaughtUp(leaderLogEnd, now, maxLagMs))) {
                    outOfSync.add(member);
                }
            }
            if (outOfSync.isEmpty()) {
                return List.of();
            }
            List<Integer> newIsr = new ArrayList<>(state.isr());
            newIsr.removeAll(outOfSync);
            submitIsrChange(state, newIsr);
            return outOfSync;
        }
    }

    private void submitIsrChange(LeaderState state, List<Integer> newIsr) {
        Map<Integer, Long> brokerEpochs = new HashMap<>();
        for (int member : newIsr) {
            ReplicaState follower = replicas.get(member);
            brokerEpochs.put(member, follower == null ? -1L : follower.brokerEpoch);
        }
        IsrChange change = new IsrChange(topicPartition, log.topicId(), state.leaderEpoch(), state.partitionEpoch(),
                List.copyOf(newIsr), Map.copyOf(brokerEpochs));
        pendingIsrChange = change;
        isrChangeSender.submit(change).whenComplete((result, error) -> onIsrChangeAnswered(change, result, error));
    }

    /**
     * The controller's answer: committed, it becomes the ISR (unless a newer state came meanwhile); refused because a
     * member is not eligible, the change is dropped and proposed again when still needed; fenced (an older leader
     * epoch or partition epoch), it stays pending until the image brings the state that fenced it, as Kafka does.
     */
    private void onIsrChangeAnswered(IsrChange change, IsrChangeResult result, Throwable error) {
        synchronized (this) {
            if (pendingIsrChange != change) {
                return;
            }
            if (error != null) {
                pendingIsrChange = null;
                return;
            }
            switch (result.error()) {
                case NONE -> {
                    LeaderState state = leaderState;
                    pendingIsrChange = null;
                    if (state.isLeader() && result.leaderEpoch() == state.leaderEpoch()
                            && result.partitionEpoch() > state.partitionEpoch()) {
                        leaderState = new LeaderState(state.leaderId(), state.leaderEpoch(), true, state.replicas(),
                                List.copyOf(result.isr()), result.partitionEpoch());
                    }
                }
                case INELIGIBLE_REPLICA, OPERATION_NOT_ATTEMPTED -> pendingIsrChange = null;
                default -> {
                    // FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION, UNKNOWN_TOPIC_*, NEW_LEADER_ELECTED, INVALID_REQUEST:
                    // our state is stale; the image will bring the newer one
                }
            }
        }
        maybeIncrementHighWatermark();
        onIsrChangeAnswered.run();
    }

    /** The ISR the high watermark and acks=all count: the committed one plus a member being added. */
    private List<Integer> maximalIsr(LeaderState state) {
        IsrChange pending = pendingIsrChange;
        if (pending != null && pending.newIsr().size() > state.isr().size()) {
            return pending.newIsr();
        }
        return state.isr();
    }

    /**
     * HW = min over the maximal ISR of their log end offsets, never moving backwards and not moving at all while the
     * ISR is smaller than {@code min.insync.replicas} (Kafka's strict min ISR, KIP-966).
     *
     * @return true if the high watermark moved
     */
    public boolean maybeIncrementHighWatermark() {
        synchronized (this) {
            LeaderState state = leaderState;
            if (!state.isLeader() || isUnderMinIsr(state)) {
                return false;
            }
            long newHighWatermark = log.logEndOffset();
            for (int replica : maximalIsr(state)) {
                if (replica != localBrokerId) {
                    ReplicaState follower = replicas.get(replica);
                    newHighWatermark = Math.min(newHighWatermark, follower == null ? -1L : follower.logEndOffset);
                }
            }
            if (newHighWatermark > log.highWatermark()) {
                log.updateHighWatermark(newHighWatermark);
                return true;
            }
            return false;
        }
    }

    /** The members of the maximal ISR, for acks=all's check after the append. */
    synchronized int maximalIsrSize() {
        return maximalIsr(leaderState).size();
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /** True when the ISR is smaller than {@code min.insync.replicas}: acks=all cannot be promised. */
    public boolean isUnderMinIsr() {
        return isUnderMinIsr(leaderState);
    }

    /**
     * Kafka's {@code checkEnoughReplicasReachOffset} after the high watermark passed an acks=all append: the records
     * are on every member of the maximal ISR, which must still be at least {@code min.insync.replicas}.
     */
    public boolean enoughReplicasHaveAppended() {
        return effectiveMinIsr(leaderState) <= maximalIsrSize();
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
     * <p>A follower's fetch (replica id set) reads up to the log end; when its last fetched epoch ends earlier here,
     * or is not an epoch of this log, the answer is that epoch's end (Kafka's diverging epoch) and no records, so the
     * follower truncates; otherwise its position is recorded (high watermark, ISR expansion).
     *
     * @param liveBrokers whether a broker is registered (a follower joins the ISR only while it is)
     * @throws OffsetOutOfRangeException when {@code fetchOffset} is outside [log start, log end]
     */
    public LogReadResult read(FetchPartition fetch, FetchParams params, int maxBytes, boolean minOneMessage,
                              IntPredicate liveBrokers) {
        LeaderState state = checkLeader(fetch.currentLeaderEpoch(), true);
        long highWatermark = log.highWatermark();
        long lastStableOffset = lastStableOffset();
        long logStartOffset = log.logStartOffset();
        long logEndOffset = log.logEndOffset();
        if (params.isFromFollower()) {
            if (!state.replicas().contains(params.replicaId())) {
                throw new NotLeaderOrFollowerException("broker " + params.replicaId() + " is not a replica of "
                        + topicPartition);
            }
            if (fetch.lastFetchedEpoch().isPresent() && fetch.lastFetchedEpoch().get() >= 0) {
                int lastFetchedEpoch = fetch.lastFetchedEpoch().get();
                // as Kafka's readRecords: an epoch this log cannot place is out of range, and so is an offset below
                // the log start, whatever the epochs say
                EpochEndOffset end = log.endOffsetForEpoch(lastFetchedEpoch).orElseThrow(() ->
                        new OffsetOutOfRangeException("Could not determine the end offset of the last fetched epoch "
                                + lastFetchedEpoch + " of " + topicPartition));
                if (fetch.fetchOffset() < logStartOffset) {
                    throw new OffsetOutOfRangeException("fetch offset " + fetch.fetchOffset() + " of " + topicPartition
                            + " is below the log start offset " + logStartOffset);
                }
                if (end.leaderEpoch() < lastFetchedEpoch || end.endOffset() < fetch.fetchOffset()) {
                    return new LogReadResult(FetchDataInfo.empty(fetch.fetchOffset()), highWatermark,
                            lastStableOffset, logStartOffset, logEndOffset, null, end);
                }
            }
        }
        long maxOffset = switch (params.isolation()) {
            case LOG_END -> logEndOffset;
            case HIGH_WATERMARK -> highWatermark;
            case TXN_COMMITTED -> lastStableOffset;
        };
        FetchDataInfo info = log.read(fetch.fetchOffset(), maxBytes, maxOffset, minOneMessage);
        if (params.isFromFollower()) {
            updateFollowerFetchState(params.replicaId(), fetch.fetchOffset(), logEndOffset, params.replicaEpoch(),
                    liveBrokers);
            // the follower learns the high watermark its own position may just have moved
            highWatermark = log.highWatermark();
        }
        return new LogReadResult(info, highWatermark, lastStableOffset, logStartOffset, logEndOffset, null, null);
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
            long epochStart;
            synchronized (this) {
                epochStart = leaderEpochStartOffset;
            }
            if (isolation != null && lastFetchableOffset < epochStart) {
                // KIP-207: a new leader whose high watermark has not reached its epoch's start does not know the end
                // of the committed log yet; Kafka answers OFFSET_NOT_AVAILABLE and clients retry
                throw new OffsetNotAvailableException("Failed to fetch offsets for partition " + topicPartition
                        + " with leader epoch " + state.leaderEpoch() + " as this partition's high watermark ("
                        + lastFetchableOffset + ") is lower than the leader epoch's start offset (" + epochStart + ")");
            }
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
