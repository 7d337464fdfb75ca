package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.CommitRequest;
import io.sluice.coordinator.group.GroupApi.DescribedGroup;
import io.sluice.coordinator.group.GroupApi.FetchRequest;
import io.sluice.coordinator.group.GroupApi.FetchResult;
import io.sluice.coordinator.group.GroupApi.HeartbeatRequest;
import io.sluice.coordinator.group.GroupApi.JoinRequest;
import io.sluice.coordinator.group.GroupApi.JoinResult;
import io.sluice.coordinator.group.GroupApi.LeaveResult;
import io.sluice.coordinator.group.GroupApi.LeavingMember;
import io.sluice.coordinator.group.GroupApi.ListedGroup;
import io.sluice.coordinator.group.GroupApi.PartitionError;
import io.sluice.coordinator.group.GroupApi.SyncRequest;
import io.sluice.coordinator.group.GroupApi.SyncResult;
import io.sluice.coordinator.group.GroupApi.TopicPartitionKey;
import io.sluice.storage.PartitionLog;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The group coordinator of one broker: runs the {@link GroupCoordinatorShard} and {@link OffsetManager} of every
 * {@code __consumer_offsets} partition it leads on one thread ({@code sluice-group-coordinator}), with no locks.
 * Each call hops onto that thread and returns a future; handlers never wait on it.
 *
 * <p>The server calls {@link #onElection} when this broker becomes leader of an offsets partition (the partition
 * is replayed from its log before any request for its groups is served, since both run on the same thread) and
 * {@link #onResignation} when it stops being leader.
 */
public final class GroupCoordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    private static final int LOAD_BATCH_BYTES = 1024 * 1024;

    private final ScheduledExecutorService thread;
    private final GroupCoordinatorShard shard;
    private final GroupConfig config;

    public GroupCoordinator(GroupConfig config, Time time, CoordinatorLog coordinatorLog, IntSupplier numPartitions) {
        this.config = config;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-group-coordinator");
            t.setDaemon(true);
            return t;
        });
        this.shard = new GroupCoordinatorShard(config, time, new ExecutorCoordinatorTimer(thread),
                new AppendQueue(coordinatorLog, this::execute), numPartitions);
        execute(shard::scheduleOffsetsExpiration);
    }

    public GroupConfig config() {
        return config;
    }

    /** The {@code __consumer_offsets} partition of a group. */
    public int partitionFor(String groupId) {
        return shard.partitionFor(groupId);
    }

    /** This broker became leader of {@code __consumer_offsets-partition}: replay it, then serve its groups. */
    public void onElection(int partition, PartitionLog partitionLog) {
        execute(() -> {
            if (shard.ownedPartitions().contains(partition)) {
                return;
            }
            try {
                shard.load(partition, readAll(partitionLog));
            } catch (RuntimeException e) {
                log.error("Failed to load __consumer_offsets-{}", partition, e);
            }
        });
    }

    /** This broker no longer leads {@code __consumer_offsets-partition}. */
    public void onResignation(int partition) {
        execute(() -> shard.unload(partition));
    }

    /** Topics were deleted: their committed offsets go, in every group (Kafka's {@code onPartitionsDeleted}). */
    public void onTopicsDeleted(Set<String> topics) {
        if (!topics.isEmpty()) {
            execute(() -> shard.offsets.onTopicsDeleted(Set.copyOf(topics)));
        }
    }

    private static List<GroupRecords.Decoded> readAll(PartitionLog partitionLog) {
        List<GroupRecords.Decoded> decoded = new ArrayList<>();
        long offset = partitionLog.logStartOffset();
        long end = partitionLog.logEndOffset();
        while (offset < end) {
            Records records = partitionLog.readRecords(offset, LOAD_BATCH_BYTES, end, true);
            long next = offset;
            for (RecordBatch batch : records.batches()) {
                next = batch.nextOffset();
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record record : batch) {
                    GroupRecords.Decoded d = GroupRecords.decode(record.key(), record.hasValue() ? record.value() : null);
                    if (d != null) {
                        decoded.add(d);
                    }
                }
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
        return decoded;
    }

    // ---------------------------------------------------------------- group APIs

    public CompletableFuture<JoinResult> joinGroup(JoinRequest request) {
        return call(() -> shard.joinGroup(request));
    }

    public CompletableFuture<SyncResult> syncGroup(SyncRequest request) {
        return call(() -> shard.syncGroup(request));
    }

    public CompletableFuture<Errors> heartbeat(HeartbeatRequest request) {
        return supply(() -> shard.heartbeat(request));
    }

    public CompletableFuture<LeaveResult> leaveGroup(String groupId, List<LeavingMember> members) {
        return supply(() -> shard.leaveGroup(groupId, members));
    }

    public CompletableFuture<List<DescribedGroup>> describeGroups(List<String> groupIds) {
        return supply(() -> groupIds.stream().map(shard.admin::describeGroup).toList());
    }

    public CompletableFuture<List<ListedGroup>> listGroups(List<String> statesFilter, List<String> typesFilter) {
        return supply(() -> shard.admin.listGroups(statesFilter, typesFilter));
    }

    public CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
        return call(() -> shard.admin.deleteGroups(groupIds));
    }

    // ---------------------------------------------------------------- offset APIs

    public CompletableFuture<List<PartitionError>> commitOffsets(CommitRequest request, short apiVersion) {
        return call(() -> shard.offsets.commit(request, apiVersion));
    }

    public CompletableFuture<FetchResult> fetchOffsets(FetchRequest request) {
        return supply(() -> shard.offsets.fetch(request));
    }

    public CompletableFuture<Map.Entry<Errors, List<PartitionError>>> deleteOffsets(String groupId,
                                                                                   List<TopicPartitionKey> partitions) {
        return call(() -> shard.offsets.delete(groupId, partitions));
    }

    // ---------------------------------------------------------------- thread

    private void execute(Runnable task) {
        thread.execute(() -> run(task));
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("Unexpected error in the group coordinator", e);
        }
    }

    private <T> CompletableFuture<T> supply(Supplier<T> work) {
        return call(() -> CompletableFuture.completedFuture(work.get()));
    }

    private <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    work.get().whenComplete((value, error) -> {
                        if (error != null) {
                            result.completeExceptionally(error);
                        } else {
                            result.complete(value);
                        }
                    });
                } catch (RuntimeException e) {
                    log.error("Unexpected error in the group coordinator", e);
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new CoordinatorNotAvailableException("the group coordinator is shutting down"));
        }
        return result;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
