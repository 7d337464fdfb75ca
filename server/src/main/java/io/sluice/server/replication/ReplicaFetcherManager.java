package io.sluice.server.replication;

import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.Partition;
import io.sluice.server.partition.ReplicaManager;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The replica fetchers of this broker, as Kafka's {@code ReplicaFetcherManager}: {@code num.replica.fetchers}
 * threads per source broker, each partition on the one its index hashes to. Told by the {@link ReplicaManager}
 * when this broker starts following a partition (at a new leader or leader epoch: fetching restarts, with
 * truncation by epoch) or stops.
 *
 * <p>Thread-safe: role changes come from the metadata thread and the I/O threads helping it; the fetcher map is
 * guarded by this object's monitor.
 */
public final class ReplicaFetcherManager implements ReplicaManager.FollowerListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private record FetcherKey(int sourceBrokerId, int fetcherId) {
    }

    private final ReplicaFetcher.Settings settings;
    private final int numFetchers;
    private final Supplier<MetadataImage> metadata;
    private final Map<FetcherKey, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<TopicPartition, FetcherKey> assignments = new HashMap<>();
    private boolean closed;

    public ReplicaFetcherManager(int localBrokerId, String listenerName, int maxWaitMs, int minBytes, int maxBytes,
                                 int responseMaxBytes, int backoffMs, int socketTimeoutMs, int numFetchers,
                                 Supplier<MetadataImage> metadata) {
        this.settings = new ReplicaFetcher.Settings(localBrokerId, listenerName, maxWaitMs, minBytes, maxBytes,
                responseMaxBytes, backoffMs, socketTimeoutMs);
        this.numFetchers = numFetchers;
        this.metadata = metadata;
    }

    @Override
    public synchronized void onFollow(Partition partition, int leaderId, int leaderEpoch) {
        if (closed) {
            return;
        }
        TopicPartition tp = partition.topicPartition();
        FetcherKey key = new FetcherKey(leaderId, Math.floorMod(31 * tp.topic().hashCode() + tp.partition(),
                numFetchers));
        if (!key.equals(assignments.get(tp))) {
            // same leader at a new epoch: the fetcher keeps its thread and just restarts this partition
            removeAssignment(tp);
        }
        ReplicaFetcher fetcher = fetchers.computeIfAbsent(key, k -> {
            ReplicaFetcher created = new ReplicaFetcher(k.sourceBrokerId(), k.fetcherId(), settings, metadata);
            created.start();
            log.info("Started replica fetcher {} for source broker {}", k.fetcherId(), k.sourceBrokerId());
            return created;
        });
        fetcher.add(partition, leaderEpoch);
        assignments.put(tp, key);
    }

    @Override
    public synchronized void onStopFollowing(TopicPartition tp) {
        removeAssignment(tp);
    }

    private void removeAssignment(TopicPartition tp) {
        FetcherKey key = assignments.remove(tp);
        if (key == null) {
            return;
        }
        ReplicaFetcher fetcher = fetchers.get(key);
        if (fetcher != null) {
            fetcher.remove(tp);
            if (fetcher.isEmpty()) {
                // a source broker with nothing to fetch has no thread, so a cluster's departed brokers cost nothing
                fetchers.remove(key);
                fetcher.close();
            }
        }
    }

    @Override
    public void close() {
        Map<FetcherKey, ReplicaFetcher> all;
        synchronized (this) {
            closed = true;
            all = Map.copyOf(fetchers);
            fetchers.clear();
            assignments.clear();
        }
        all.values().forEach(ReplicaFetcher::close);
    }
}
