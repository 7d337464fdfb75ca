package io.sluice.server.partition;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.server.purgatory.Purgatory;
import io.sluice.server.purgatory.Timer;
import io.sluice.server.purgatory.WheelTimer;
import io.sluice.storage.LogAppendResult;
import io.sluice.storage.LogConfig;
import io.sluice.storage.LogManager;
import io.sluice.storage.PartitionLog;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The partitions this broker hosts and the data path through them, as Kafka's {@code ReplicaManager}.
 *
 * <p>Follows the {@link MetadataCache}: for every partition whose replicas include this broker it makes
 * sure a log exists and applies leadership from the partition state; a topic that leaves the image (or
 * comes back with another topic id) has its logs deleted; changed config overrides reach the logs.
 *
 * <p>Appends and reads run on the I/O executor ({@code num.io.threads}), never on a network event loop;
 * results come back as futures. Produce with acks=all and Fetch with {@code min_bytes} wait in
 * purgatories keyed by partition, completed by appends, high-watermark moves or their timeout.
 *
 * <p>Thread-safe. The partition map is concurrent; metadata changes are applied on the metadata thread, which
 * shares the partitions of a topic that need files written (new logs, new leader epochs) with a few I/O threads
 * and waits for them before the next topic; no lock is held across I/O here (appends to one
 * partition are serialized by its log).
 */
public final class ReplicaManager implements MetadataCache.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

    /** Resolves a topic's effective log config: broker config, dynamic broker configs, topic overrides. */
    @FunctionalInterface
    public interface LogConfigs {
        LogConfig logConfig(MetadataImage image, TopicMetadata topic);
    }

    private final int brokerId;
    private final LogManager logManager;
    private final LogConfigs logConfigs;
    private final ExecutorService io;
    private final Timer timer;
    private final Purgatory<TopicPartition> fetchPurgatory;
    private final Purgatory<TopicPartition> producePurgatory;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile IsrChangeSender isrChangeSender = IsrChangeSender.NONE;
    private volatile FollowerListener followerListener = FollowerListener.NONE;

    /**
     * Told when this broker starts or stops following a partition, so that replica fetchers fetch it from its leader.
     * Called on the metadata thread (and on I/O threads helping it); must not block.
     */
    public interface FollowerListener {
        /** {@code partition} follows {@code leaderId} at {@code leaderEpoch}: (re)start fetching from its log end. */
        void onFollow(Partition partition, int leaderId, int leaderEpoch);

        /** {@code tp} is led here, has no leader, or is no longer hosted: stop fetching it. */
        void onStopFollowing(TopicPartition tp);

        FollowerListener NONE = new FollowerListener() {
            @Override
            public void onFollow(Partition partition, int leaderId, int leaderEpoch) {
            }

            @Override
            public void onStopFollowing(TopicPartition tp) {
            }
        };
    }

    public ReplicaManager(int brokerId, LogManager logManager, LogConfigs logConfigs, int ioThreads) {
        this(brokerId, logManager, logConfigs, ioThreads, new WheelTimer("sluice-purgatory-" + brokerId));
    }

    public ReplicaManager(int brokerId, LogManager logManager, LogConfigs logConfigs, int ioThreads, Timer timer) {
        this.brokerId = brokerId;
        this.logManager = logManager;
        this.logConfigs = logConfigs;
        DefaultThreadFactory threads = new DefaultThreadFactory("sluice-io-" + brokerId, true);
        this.io = Executors.newFixedThreadPool(ioThreads, work -> threads.newThread(() -> {
            ON_IO_THREAD.set(Boolean.TRUE);
            work.run();
        }));
        this.timer = timer;
        this.fetchPurgatory = new Purgatory<>(timer);
        this.producePurgatory = new Purgatory<>(timer);
    }

    public int brokerId() {
        return brokerId;
    }

    /**
     * Connects replication before the first image is applied: the leaders' ISR changes go to {@code sender}, the
     * follower role changes to {@code listener}, and every half of {@code replicaLagTimeMaxMs} each led partition drops
     * the ISR members that fell behind, as Kafka's {@code isr-expiration} task, on the broker's shared
     * {@code scheduler}.
     */
    public void startReplication(IsrChangeSender sender, FollowerListener listener, long replicaLagTimeMaxMs,
                                 ScheduledExecutorService scheduler) {
        this.isrChangeSender = sender;
        this.followerListener = listener;
        long period = Math.max(1, replicaLagTimeMaxMs / 2);
        scheduler.scheduleWithFixedDelay(() -> shrinkIsrs(replicaLagTimeMaxMs), period, period, TimeUnit.MILLISECONDS);
    }

    private void shrinkIsrs(long replicaLagTimeMaxMs) {
        for (Partition partition : partitions.values()) {
            try {
                List<Integer> outOfSync = partition.maybeShrinkIsr(replicaLagTimeMaxMs);
                if (!outOfSync.isEmpty()) {
                    log.info("Shrinking ISR of {} from {}: {} not caught up within replica.lag.time.max.ms={}",
                            partition.topicPartition(), partition.leaderState().isr(), outOfSync, replicaLagTimeMaxMs);
                }
            } catch (RuntimeException e) {
                log.warn("ISR check of {} failed", partition.topicPartition(), e);
            }
        }
    }

    // ---------------------------------------------------------------- metadata

    @Override
    public void onImage(MetadataImage previous, MetadataImage current) {
        image = current;
        for (TopicPartition tp : List.copyOf(partitions.keySet())) {
            Partition partition = partitions.get(tp);
            TopicMetadata topic = current.topics().get(tp.topic());
            PartitionState state = topic == null ? null : topic.partitions().get(tp.partition());
            boolean recreated = topic != null && partition != null && !sameTopicId(topic.topicId(), partition.topicId());
            if (state == null || !state.replicas().contains(brokerId) || recreated) {
                removePartition(tp);
            }
        }
        boolean brokerConfigsChanged = previous == null
                || !Objects.equals(previous.brokerConfigOverrides(), current.brokerConfigOverrides());
        for (TopicMetadata topic : current.topics().values()) {
            TopicMetadata before = previous == null ? null : previous.topics().get(topic.name());
            boolean configChanged = brokerConfigsChanged || before == null
                    || !Objects.equals(before.configOverrides(), topic.configOverrides());
            applyTopic(current, topic, configChanged);
        }
    }

    private void applyTopic(MetadataImage current, TopicMetadata topic, boolean configChanged) {
        List<PartitionState> local = new ArrayList<>();
        boolean anyNew = false;
        for (PartitionState state : topic.partitions().values()) {
            if (state.replicas().contains(brokerId)) {
                local.add(state);
                anyNew |= !partitions.containsKey(new TopicPartition(topic.name(), state.partition()));
            }
        }
        if (local.isEmpty()) {
            return;
        }
        // resolved once for the topic; a failure fails only the partitions that need the config, as before
        LogConfig resolved = null;
        RuntimeException configError = null;
        if (anyNew || configChanged) {
            try {
                resolved = logConfigs.logConfig(current, topic);
            } catch (RuntimeException e) {
                configError = e;
            }
        }
        LogConfig config = resolved;
        RuntimeException error = configError;
        Supplier<LogConfig> configs = () -> {
            if (error != null) {
                throw error;
            }
            return config;
        };
        // Creating a log, and becoming leader at a new epoch, write and fsync small files: a new topic's partitions
        // (the 50 of __consumer_offsets) are applied side by side, the rest right here.
        List<Runnable> diskBound = new ArrayList<>();
        for (PartitionState state : local) {
            TopicPartition tp = new TopicPartition(topic.name(), state.partition());
            if (local.size() > 1 && needsDisk(partitions.get(tp), state, topic)) {
                diskBound.add(() -> applyPartition(topic, state, configs, configChanged));
            } else {
                applyPartition(topic, state, configs, configChanged);
            }
        }
        applySideBySide(diskBound);
    }

    /** At most this many I/O threads help the metadata thread apply a topic's partitions. */
    private static final int APPLY_HELPERS = 3;

    /**
     * Runs {@code work} on the calling thread and up to {@value #APPLY_HELPERS} I/O threads, all taking items from
     * one queue, and returns when every item has run. The caller works through the queue itself and then waits only
     * for the items a helper took, so a helper queued behind produce and fetch work, or never run because the
     * executor is shutting down, delays nothing and cannot leave the caller waiting.
     */
    private void applySideBySide(List<Runnable> work) {
        if (work.isEmpty()) {
            return;
        }
        ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>(work);
        CountDownLatch done = new CountDownLatch(work.size());
        Runnable drain = () -> {
            for (Runnable item = queue.poll(); item != null; item = queue.poll()) {
                try {
                    item.run();
                } catch (Throwable t) {
                    log.error("Error applying metadata to a partition", t);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int i = 0; i < Math.min(APPLY_HELPERS, work.size() - 1); i++) {
            try {
                io.execute(drain);
            } catch (RejectedExecutionException shuttingDown) {
                break;
            }
        }
        drain.run();
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean needsDisk(Partition partition, PartitionState state, TopicMetadata topic) {
        if (partition == null) {
            return true;
        }
        LeaderState current = partition.leaderState();
        return !topic.markedForDeletion() && state.leader() == brokerId
                && (!current.isLeader() || current.leaderEpoch() != state.leaderEpoch());
    }

    /** Creates the log if needed and applies leadership; errors are logged, the partition stays unhosted. */
    private void applyPartition(TopicMetadata topic, PartitionState state, Supplier<LogConfig> config,
                                boolean configChanged) {
        TopicPartition tp = new TopicPartition(topic.name(), state.partition());
        try {
            Partition partition = partitions.get(tp);
            if (partition == null) {
                PartitionLog partitionLog = logManager.getOrCreate(tp, topic.topicId(), config.get());
                // an ISR change committed asynchronously may move the high watermark: waiting requests re-check
                partition = new Partition(tp, brokerId, partitionLog, isrChangeSender, System::currentTimeMillis,
                        () -> onIoThread(() -> {
                            wakeWaiters(tp);
                            return null;
                        }));
                partitions.put(tp, partition);
            } else if (configChanged) {
                partition.log().updateConfig(config.get());
            }
            LeaderState before = partition.leaderState();
            boolean roleChanged;
            if (topic.markedForDeletion()) {
                partition.makeOffline();
                roleChanged = before != LeaderState.OFFLINE;
            } else {
                roleChanged = partition.applyState(state);
            }
            LeaderState after = partition.leaderState();
            if (roleChanged) {
                if (after.isLeader()) {
                    log.info("Became leader of {} at leader epoch {}, log end offset {}, ISR {}", tp,
                            after.leaderEpoch(), partition.logEndOffset(), after.isr());
                    followerListener.onStopFollowing(tp);
                } else if (after != LeaderState.OFFLINE && after.leaderId() >= 0) {
                    log.info("Following {} led by broker {} at leader epoch {}, log end offset {}", tp,
                            after.leaderId(), after.leaderEpoch(), partition.logEndOffset());
                    followerListener.onFollow(partition, after.leaderId(), after.leaderEpoch());
                } else {
                    followerListener.onStopFollowing(tp);
                }
            }
            if (before.isLeader() != after.isLeader() || before.leaderEpoch() != after.leaderEpoch()
                    || !before.isr().equals(after.isr())) {
                wakeWaiters(tp);
            }
        } catch (RuntimeException e) {
            log.error("Cannot host partition {} (topic id {})", tp, topic.topicId(), e);
        }
    }

    private void removePartition(TopicPartition tp) {
        Partition removed = partitions.remove(tp);
        if (removed == null) {
            return;
        }
        removed.makeOffline();
        followerListener.onStopFollowing(tp);
        fetchPurgatory.completeAndForget(tp);
        producePurgatory.completeAndForget(tp);
        try {
            logManager.delete(tp);
            log.info("Deleted log of {} (topic id {})", tp, removed.topicId());
        } catch (RuntimeException e) {
            log.error("Cannot delete log of {}", tp, e);
        }
    }

    private static boolean sameTopicId(Uuid a, Uuid b) {
        return a == null || b == null || Uuid.ZERO_UUID.equals(a) || Uuid.ZERO_UUID.equals(b) || a.equals(b);
    }

    // ---------------------------------------------------------------- lookups

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * The partition if this broker leads it, as Kafka's {@code getPartitionOrException}: not in the
     * metadata at all is UNKNOWN_TOPIC_OR_PARTITION, known but not led here NOT_LEADER_OR_FOLLOWER; a
     * client leader epoch that does not match is FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH.
     */
    public Partition leaderPartitionOrThrow(TopicPartition tp, Optional<Integer> currentLeaderEpoch) {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            if (image.partition(tp).isPresent()) {
                throw new NotLeaderOrFollowerException("broker " + brokerId + " does not host " + tp);
            }
            throw new UnknownTopicOrPartitionException("unknown partition " + tp);
        }
        partition.checkLeader(currentLeaderEpoch, true);
        return partition;
    }

    /** Runs partition work (ListOffsets, DeleteRecords, DescribeProducers) on the I/O executor. */
    public <T> CompletableFuture<T> onIoThread(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, io);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException("broker is shutting down"));
        }
    }

    // ---------------------------------------------------------------- produce

    /**
     * Appends to the leaders of the given partitions, as Kafka's {@code ReplicaManager.appendRecords}.
     * With acks=all the future completes once the ISR has every appended partition's records (or at the
     * timeout); with acks 0 or 1 right after the appends.
     *
     * @param internalTopicsAllowed false rejects appends to {@code __consumer_offsets} and
     *                              {@code __transaction_state} with INVALID_TOPIC_EXCEPTION, as Kafka does for
     *                              clients other than the admin client
     */
    public CompletableFuture<Map<TopicPartition, ProducePartitionResult>> appendRecords(
            short requiredAcks, long timeoutMs, Map<TopicPartition, MemoryRecords> entries, boolean internalTopicsAllowed) {
        CompletableFuture<Map<TopicPartition, ProducePartitionResult>> future = new CompletableFuture<>();
        execute(future, () -> {
            Map<TopicPartition, ProducePartitionResult> results = new LinkedHashMap<>();
            Map<TopicPartition, Long> requiredOffsets = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, MemoryRecords> entry : entries.entrySet()) {
                TopicPartition tp = entry.getKey();
                ProducePartitionResult result = appendToLeader(tp, entry.getValue(), requiredAcks, internalTopicsAllowed);
                results.put(tp, result);
                if (!result.failed()) {
                    requiredOffsets.put(tp, result.lastOffset() + 1);
                }
            }
            if (requiredAcks != -1 || requiredOffsets.isEmpty()) {
                future.complete(results);
                return;
            }
            DelayedProduce delayed = new DelayedProduce(timeoutMs, results, requiredOffsets, this::partition, future);
            producePurgatory.tryCompleteElseWatch(delayed, requiredOffsets.keySet());
        });
        return future;
    }

    private ProducePartitionResult appendToLeader(TopicPartition tp, MemoryRecords records, short requiredAcks,
                                                  boolean internalTopicsAllowed) {
        try {
            if (Topic.isInternal(tp.topic()) && !internalTopicsAllowed) {
                throw new InvalidTopicException("Cannot append to internal topic " + tp.topic());
            }
            Partition partition = leaderPartitionOrThrow(tp, Optional.empty());
            LogAppendResult append = partition.appendRecordsToLeader(records, requiredAcks);
            wakeWaiters(tp);
            return ProducePartitionResult.of(append);
        } catch (ApiException e) {
            return ProducePartitionResult.error(e);
        } catch (RuntimeException e) {
            log.error("Error appending to {}", tp, e);
            return ProducePartitionResult.error(new UnknownServerException());
        }
    }

    /** Something changed on {@code tp} (append, high watermark, leadership): let waiting requests re-check. */
    private void wakeWaiters(TopicPartition tp) {
        fetchPurgatory.checkAndComplete(tp);
        producePurgatory.checkAndComplete(tp);
    }

    // ---------------------------------------------------------------- fetch

    /**
     * Reads the partitions, and when fewer than {@code min_bytes} are readable waits for appends up to
     * {@code max_wait_ms}, as Kafka's {@code ReplicaManager.fetchMessages}. Answers at once when the wait
     * is 0, there is nothing to fetch, enough bytes are there, or any partition has an error.
     */
    public CompletableFuture<Map<TopicIdPartition, LogReadResult>> fetchMessages(FetchParams params,
                                                                               List<FetchPartition> fetches) {
        CompletableFuture<Map<TopicIdPartition, LogReadResult>> future = new CompletableFuture<>();
        execute(future, () -> {
            Map<TopicIdPartition, LogReadResult> reads = readFromLocalLog(params, fetches);
            long bytesReadable = 0;
            boolean anyError = false;
            for (LogReadResult read : reads.values()) {
                bytesReadable += read.sizeInBytes();
                anyError |= read.error() != null;
            }
            if (params.maxWaitMs() <= 0 || fetches.isEmpty() || bytesReadable >= params.minBytes() || anyError) {
                future.complete(reads);
                return;
            }
            List<TopicPartition> keys = new ArrayList<>(fetches.size());
            fetches.forEach(f -> keys.add(f.topicIdPartition().topicPartition()));
            fetchPurgatory.tryCompleteElseWatch(new DelayedFetch(params, fetches, this, future), keys);
        });
        return future;
    }

    /** Marks the threads of {@link #io}: work already on one needs no hand-off to another. */
    private static final ThreadLocal<Boolean> ON_IO_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /**
     * Reads again and completes {@code future}: a delayed fetch's completion. On an I/O thread (an append or a
     * high-watermark move completed it) the read happens right there, as Kafka's {@code DelayedFetch} reads on the
     * thread that completes it: a hand-off to another I/O thread would add a thread wake-up to the produce-to-consume
     * latency. From the timer thread (the wait expired) it goes to the I/O executor, so the timer never reads.
     */
    void completeDelayedRead(FetchParams params, List<FetchPartition> fetches,
                             CompletableFuture<Map<TopicIdPartition, LogReadResult>> future) {
        if (ON_IO_THREAD.get()) {
            try {
                future.complete(readFromLocalLog(params, fetches));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        } else {
            execute(future, () -> future.complete(readFromLocalLog(params, fetches)));
        }
    }

    /**
     * Reads each partition in order within the response's {@code max_bytes}, as Kafka's
     * {@code readFromLog}: until some partition returned data, the first batch is returned whole even when
     * larger than the limits (so a consumer never gets stuck on a large batch).
     */
    Map<TopicIdPartition, LogReadResult> readFromLocalLog(FetchParams params, List<FetchPartition> fetches) {
        Map<TopicIdPartition, LogReadResult> results = new LinkedHashMap<>();
        int limitBytes = params.maxBytes();
        boolean minOneMessage = true;
        for (FetchPartition fetch : fetches) {
            TopicIdPartition tidp = fetch.topicIdPartition();
            LogReadResult result;
            try {
                Partition partition = leaderPartitionOrThrow(tidp.topicPartition(), fetch.currentLeaderEpoch());
                if (!sameTopicId(tidp.topicId(), partition.topicId())) {
                    throw new InconsistentTopicIdException("topic id " + tidp.topicId() + " of " + tidp.topicPartition()
                            + " does not match the log's " + partition.topicId());
                }
                long highWatermarkBefore = partition.highWatermark();
                int maxBytes = Math.min(fetch.maxBytes(), limitBytes);
                MetadataImage current = image;
                result = partition.read(fetch, params, maxBytes, minOneMessage, current.brokers()::containsKey);
                if (params.isFromFollower() && partition.highWatermark() > highWatermarkBefore) {
                    wakeWaiters(tidp.topicPartition());
                }
            } catch (ApiException e) {
                result = LogReadResult.error(fetch.fetchOffset(), e);
            } catch (RuntimeException e) {
                log.error("Error reading {} at offset {}", tidp, fetch.fetchOffset(), e);
                result = LogReadResult.error(fetch.fetchOffset(), new UnknownServerException());
            }
            if (result.sizeInBytes() > 0) {
                minOneMessage = false;
            }
            limitBytes = Math.max(0, limitBytes - result.sizeInBytes());
            results.put(tidp, result);
        }
        return results;
    }

    private <T> void execute(CompletableFuture<T> future, Runnable work) {
        try {
            io.execute(() -> {
                try {
                    work.run();
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new NotLeaderOrFollowerException("broker is shutting down"));
        }
    }

    @Override
    public void close() {
        io.shutdown();
        try {
            if (!io.awaitTermination(30, TimeUnit.SECONDS)) {
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            io.shutdownNow();
            Thread.currentThread().interrupt();
        }
        timer.close();
    }
}
