package io.sluice.server.partition;

import io.sluice.server.purgatory.DelayedOperation;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A Produce with acks=all waiting until the high watermark of every appended partition has passed the
 * appended records (the whole ISR has them), as Kafka's {@code DelayedProduce}. Keyed by partition;
 * completed by high-watermark moves. A partition still pending at the timeout answers REQUEST_TIMED_OUT;
 * one whose leadership moved answers NOT_LEADER_OR_FOLLOWER; one whose ISR shrank below
 * {@code min.insync.replicas} meanwhile answers NOT_ENOUGH_REPLICAS_AFTER_APPEND.
 *
 * <p>Thread-safe: {@link #tryComplete()} and {@link #onComplete()} synchronize on this operation.
 */
final class DelayedProduce extends DelayedOperation {

    private final Map<TopicPartition, ProducePartitionResult> results;
    /** Partitions still waiting, with the offset the high watermark must reach. */
    private final Map<TopicPartition, Long> pending = new HashMap<>();
    private final Function<TopicPartition, Optional<Partition>> partitions;
    private final CompletableFuture<Map<TopicPartition, ProducePartitionResult>> future;

    DelayedProduce(long timeoutMs, Map<TopicPartition, ProducePartitionResult> results,
                   Map<TopicPartition, Long> requiredOffsets, Function<TopicPartition, Optional<Partition>> partitions,
                   CompletableFuture<Map<TopicPartition, ProducePartitionResult>> future) {
        super(timeoutMs);
        this.results = new LinkedHashMap<>(results);
        this.pending.putAll(requiredOffsets);
        this.partitions = partitions;
        this.future = future;
    }

    @Override
    public synchronized boolean tryComplete() {
        pending.entrySet().removeIf(entry -> {
            Optional<Partition> partition = partitions.apply(entry.getKey());
            if (partition.isEmpty() || !partition.get().isLeader()) {
                results.put(entry.getKey(), ProducePartitionResult.error(new NotLeaderOrFollowerException(
                        "leadership of " + entry.getKey() + " moved while waiting for acks=all")));
                return true;
            }
            if (partition.get().highWatermark() < entry.getValue()) {
                return false;
            }
            // Kafka's Partition.checkEnoughReplicasReachOffset: written and replicated, but to fewer replicas
            // than min.insync.replicas promised, because the ISR shrank meanwhile.
            if (!partition.get().enoughReplicasHaveAppended()) {
                results.put(entry.getKey(), ProducePartitionResult.error(new NotEnoughReplicasAfterAppendException(
                        "the ISR of " + entry.getKey() + " shrank below min.insync.replicas after the append")));
            }
            return true;
        });
        return pending.isEmpty() && forceComplete();
    }

    @Override
    protected synchronized void onComplete() {
        for (TopicPartition tp : pending.keySet()) {
            // org.apache.kafka.common.errors.TimeoutException maps to REQUEST_TIMED_OUT, as Kafka answers here.
            results.put(tp, ProducePartitionResult.error(new TimeoutException(
                    "the ISR of " + tp + " did not acknowledge in time")));
        }
        future.complete(results);
    }
}
