package io.sluice.server.partition;

import io.sluice.server.purgatory.DelayedOperation;
import io.sluice.storage.FetchDataInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.ApiException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A Fetch waiting for {@code min_bytes} or {@code max_wait_ms}, as Kafka's {@code DelayedFetch}.
 * Watched under every partition of the fetch; appends and high-watermark moves call
 * {@link #tryComplete()}. It completes when:
 * <ol>
 *   <li>a partition is no longer led here, or the client's leader epoch no longer matches;</li>
 *   <li>a fetch offset fell out of the log (below the log start or past the log end);</li>
 *   <li>the bytes readable up to the fetchable end, each partition capped at its max bytes, reach
 *       {@code min_bytes};</li>
 *   <li>the wait expires.</li>
 * </ol>
 * On completion all partitions are read again (on the I/O thread that completed it, or handed to the I/O
 * executor when the timer did: never on the timer thread) and the future gets the fresh results.
 *
 * <p>Thread-safe: {@link #tryComplete()} only reads partition state.
 */
final class DelayedFetch extends DelayedOperation {

    private final FetchParams params;
    private final List<FetchPartition> fetches;
    private final ReplicaManager replicaManager;
    private final CompletableFuture<Map<TopicIdPartition, LogReadResult>> future;

    DelayedFetch(FetchParams params, List<FetchPartition> fetches, ReplicaManager replicaManager,
                 CompletableFuture<Map<TopicIdPartition, LogReadResult>> future) {
        super(params.maxWaitMs());
        this.params = params;
        this.fetches = fetches;
        this.replicaManager = replicaManager;
        this.future = future;
    }

    @Override
    public boolean tryComplete() {
        long accumulatedBytes = 0;
        for (FetchPartition fetch : fetches) {
            TopicPartition tp = fetch.topicIdPartition().topicPartition();
            Optional<Partition> hosted = replicaManager.partition(tp);
            if (hosted.isEmpty()) {
                return forceComplete();
            }
            Partition partition = hosted.get();
            try {
                partition.checkLeader(fetch.currentLeaderEpoch(), true);
            } catch (ApiException e) {
                return forceComplete();
            }
            long fetchOffset = fetch.fetchOffset();
            if (fetchOffset < partition.logStartOffset() || fetchOffset > partition.logEndOffset()) {
                return forceComplete();
            }
            long end = partition.fetchableEnd(params.isolation());
            if (end > fetchOffset) {
                if (params.minBytes() <= 1) {
                    return forceComplete();
                }
                accumulatedBytes += readableBytes(partition, fetch, end);
            }
        }
        return accumulatedBytes >= params.minBytes() && forceComplete();
    }

    private long readableBytes(Partition partition, FetchPartition fetch, long end) {
        try {
            FetchDataInfo info = partition.log().read(fetch.fetchOffset(), fetch.maxBytes(), end, true);
            return Math.min(info.sizeInBytes(), fetch.maxBytes());
        } catch (RuntimeException e) {
            // The answer will carry the error; let the final read find it.
            return params.minBytes();
        }
    }

    @Override
    protected void onComplete() {
        replicaManager.completeDelayedRead(params, fetches, future);
    }
}
