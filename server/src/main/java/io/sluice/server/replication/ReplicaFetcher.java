package io.sluice.server.replication;

import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.Listener;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.Partition;
import io.sluice.storage.EpochEndOffset;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One replica fetcher thread: fetches every partition it was given from one source broker (their leader) with
 * Fetch v17, as Kafka's {@code ReplicaFetcherThread}. Each partition is fetched from its log end offset with the
 * epoch of its last batch; when the leader answers a diverging epoch the log is truncated to where the two logs
 * agree (never to the high watermark) and fetching goes on from there. Records are appended with their offsets and
 * epochs, and the leader's high watermark is taken, bounded by the local log end.
 *
 * <p>Errors keep to one partition: a leader epoch the leader has fenced parks it until the metadata brings a newer
 * one; "not the leader", an unknown epoch or topic back off for {@code replica.fetch.backoff.ms}; a lost connection
 * backs off every partition and reconnects (to the leader's current endpoint) on the next round.
 *
 * <p>Thread-safe: partitions are added and removed from the metadata thread while the fetcher thread runs; the
 * partition map is guarded by this object's monitor, which is never held across I/O.
 */
final class ReplicaFetcher implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);
    static final short FETCH_VERSION = 17;
    static final short LIST_OFFSETS_VERSION = 9;

    /** Fetch settings from {@code replica.fetch.*}. */
    record Settings(int localBrokerId, String listenerName, int maxWaitMs, int minBytes, int maxBytes,
                    int responseMaxBytes, int backoffMs, int socketTimeoutMs) {
    }

    /** Where one partition is fetched from; replaced (never mutated by another thread) when the role changes. */
    private static final class FetchState {
        final Partition partition;
        final int leaderEpoch;
        long delayedUntilMs;
        boolean fenced;

        FetchState(Partition partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    private final int sourceBrokerId;
    private final Settings settings;
    private final Supplier<MetadataImage> metadata;
    private final InterBrokerConnection connection;
    private final Thread thread;
    private final Map<TopicPartition, FetchState> partitions = new HashMap<>();
    private volatile boolean running = true;

    ReplicaFetcher(int sourceBrokerId, int fetcherId, Settings settings, Supplier<MetadataImage> metadata) {
        this.sourceBrokerId = sourceBrokerId;
        this.settings = settings;
        this.metadata = metadata;
        this.connection = new InterBrokerConnection("broker-" + settings.localBrokerId() + "-fetcher-" + fetcherId,
                settings.socketTimeoutMs());
        this.thread = new Thread(this, "sluice-replica-fetcher-" + fetcherId + "-source-" + sourceBrokerId);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Starts (or restarts, at a new leader epoch) fetching {@code partition} from its log end offset. */
    synchronized void add(Partition partition, int leaderEpoch) {
        partitions.put(partition.topicPartition(), new FetchState(partition, leaderEpoch));
        notifyAll();
    }

    synchronized boolean remove(TopicPartition tp) {
        return partitions.remove(tp) != null;
    }

    synchronized boolean isEmpty() {
        return partitions.isEmpty();
    }

    @Override
    public void run() {
        while (running) {
            try {
                Map<TopicPartition, FetchState> ready = awaitReadyPartitions();
                if (ready != null && !ready.isEmpty()) {
                    fetchOnce(ready);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("Replica fetcher for broker {} failed; retrying", sourceBrokerId, e);
                backOffAll();
            }
        }
    }

    /** The partitions not backing off, waiting while there are none; null when woken to re-check. */
    private synchronized Map<TopicPartition, FetchState> awaitReadyPartitions() throws InterruptedException {
        long now = System.currentTimeMillis();
        Map<TopicPartition, FetchState> ready = new LinkedHashMap<>();
        long nextReady = Long.MAX_VALUE;
        for (Map.Entry<TopicPartition, FetchState> e : partitions.entrySet()) {
            FetchState state = e.getValue();
            if (state.fenced) {
                continue;
            }
            if (state.delayedUntilMs <= now) {
                ready.put(e.getKey(), state);
            } else {
                nextReady = Math.min(nextReady, state.delayedUntilMs);
            }
        }
        if (ready.isEmpty()) {
            wait(nextReady == Long.MAX_VALUE ? 1000 : Math.max(1, Math.min(1000, nextReady - now)));
            return null;
        }
        return ready;
    }

    private void fetchOnce(Map<TopicPartition, FetchState> ready) {
        MetadataImage image = metadata.get();
        Optional<Listener> endpoint = leaderEndpoint(image);
        if (endpoint.isEmpty()) {
            // the leader is not registered (yet, or any more): the metadata will move the partitions
            backOff(ready);
            return;
        }
        BrokerRegistration self = image.brokers().get(settings.localBrokerId());
        long brokerEpoch = self == null ? -1L : self.epoch();
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        Map<Uuid, String> topicNames = new HashMap<>();
        for (Map.Entry<TopicPartition, FetchState> e : ready.entrySet()) {
            Partition partition = e.getValue().partition;
            Uuid topicId = partition.topicId() == null ? Uuid.ZERO_UUID : partition.topicId();
            topicNames.put(topicId, e.getKey().topic());
            data.put(e.getKey(), new FetchRequest.PartitionData(topicId, partition.logEndOffset(),
                    partition.logStartOffset(), settings.maxBytes(), Optional.of(e.getValue().leaderEpoch),
                    partition.log().latestEpoch()));
        }
        FetchRequest request = FetchRequest.Builder.forReplica(FETCH_VERSION, settings.localBrokerId(), brokerEpoch,
                        settings.maxWaitMs(), settings.minBytes(), data)
                .setMaxBytes(settings.responseMaxBytes())
                .isolationLevel(IsolationLevel.READ_UNCOMMITTED)
                .metadata(FetchMetadata.LEGACY)
                .build(FETCH_VERSION);
        FetchResponse response;
        try {
            response = connection.send(endpoint.get().host(), endpoint.get().port(), request, FetchResponse.class);
        } catch (IOException e) {
            if (running) {
                log.info("Fetch from broker {} at {} failed: {}; retrying in {} ms", sourceBrokerId, endpoint.get(),
                        e.toString(), settings.backoffMs());
            }
            backOff(ready);
            return;
        }
        if (response.error() != Errors.NONE) {
            log.info("Fetch from broker {} failed: {}", sourceBrokerId, response.error());
            backOff(ready);
            return;
        }
        Map<TopicPartition, FetchResponseData.PartitionData> answers = response.responseData(topicNames, FETCH_VERSION);
        for (Map.Entry<TopicPartition, FetchState> e : ready.entrySet()) {
            FetchResponseData.PartitionData answer = answers.get(e.getKey());
            if (answer != null && isCurrent(e.getKey(), e.getValue())) {
                handle(e.getKey(), e.getValue(), answer);
            }
        }
    }

    private synchronized boolean isCurrent(TopicPartition tp, FetchState state) {
        return partitions.get(tp) == state;
    }

    private void handle(TopicPartition tp, FetchState state, FetchResponseData.PartitionData answer) {
        Errors error = Errors.forCode(answer.errorCode());
        try {
            switch (error) {
                case NONE -> {
                    FetchResponseData.EpochEndOffset diverging = answer.divergingEpoch();
                    if (diverging != null && diverging.epoch() >= 0) {
                        truncateOnDivergence(tp, state, diverging);
                    } else {
                        MemoryRecords records = (MemoryRecords) FetchResponse.recordsOrFail(answer);
                        state.partition.appendRecordsAsFollower(records, state.leaderEpoch, answer.highWatermark());
                    }
                }
                case OFFSET_OUT_OF_RANGE -> handleOutOfRange(tp, state);
                case FENCED_LEADER_EPOCH -> {
                    log.info("Leader {} fenced leader epoch {} of {}; waiting for newer metadata", sourceBrokerId,
                            state.leaderEpoch, tp);
                    markFenced(tp, state);
                }
                default -> {
                    log.debug("Fetch of {} from broker {}: {}", tp, sourceBrokerId, error);
                    backOff(Map.of(tp, state));
                }
            }
        } catch (IOException e) {
            log.info("Cannot reach broker {} for {}: {}", sourceBrokerId, tp, e.toString());
            backOff(Map.of(tp, state));
        } catch (ApiException e) {
            log.info("Cannot apply fetched data of {} from broker {}: {}", tp, sourceBrokerId, e.getMessage());
            backOff(Map.of(tp, state));
        }
    }

    /**
     * Truncates as Kafka's {@code getOffsetTruncationState}: to the end of the diverging epoch on both logs, bounded
     * by the local log end. When this log's epoch at that point is older than the leader's, it truncates to the end
     * of its own epoch and the next fetch checks again from there.
     */
    private void truncateOnDivergence(TopicPartition tp, FetchState state, FetchResponseData.EpochEndOffset leader) {
        Partition partition = state.partition;
        long logEnd = partition.logEndOffset();
        long target;
        Optional<EpochEndOffset> local = partition.log().endOffsetForEpoch(leader.epoch());
        if (local.isEmpty()) {
            target = Math.min(leader.endOffset(), logEnd);
        } else if (local.get().leaderEpoch() != leader.epoch()) {
            target = Math.min(local.get().endOffset(), logEnd);
        } else {
            target = Math.min(Math.min(local.get().endOffset(), leader.endOffset()), logEnd);
        }
        log.info("Truncating {} to offset {} (log end {}): diverged from leader {} at epoch {} ending at {}", tp, target,
                logEnd, sourceBrokerId, leader.epoch(), leader.endOffset());
        partition.truncateTo(target, state.leaderEpoch);
    }

    /**
     * The leader cannot place this log's position, as Kafka's {@code handleOutOfRangeError}: a log longer than the
     * leader's (an unclean election) is truncated to the leader's end; a log that ends before the leader's start
     * (retention ran while this replica was away) is emptied and restarted at the leader's start.
     */
    private void handleOutOfRange(TopicPartition tp, FetchState state) throws IOException {
        long leaderEnd = leaderOffset(tp, state, ListOffsetsRequest.LATEST_TIMESTAMP);
        long logEnd = state.partition.logEndOffset();
        if (leaderEnd >= 0 && leaderEnd < logEnd) {
            log.warn("Truncating {} from {} to the leader's log end offset {}: its log is longer than leader {}'s",
                    tp, logEnd, leaderEnd, sourceBrokerId);
            state.partition.truncateTo(leaderEnd, state.leaderEpoch);
            return;
        }
        long leaderStart = leaderOffset(tp, state, ListOffsetsRequest.EARLIEST_TIMESTAMP);
        if (leaderStart > logEnd) {
            log.warn("The log of {} ends at {}, before leader {}'s log start offset {}: starting it again there", tp,
                    logEnd, sourceBrokerId, leaderStart);
            state.partition.truncateFullyAndStartAt(leaderStart, state.leaderEpoch);
            return;
        }
        backOff(Map.of(tp, state));
    }

    private long leaderOffset(TopicPartition tp, FetchState state, long timestamp) throws IOException {
        ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic().setName(tp.topic());
        topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(tp.partition())
                .setCurrentLeaderEpoch(state.leaderEpoch).setTimestamp(timestamp));
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forReplica(LIST_OFFSETS_VERSION, settings.localBrokerId())
                .setTargetTimes(List.of(topic)).build(LIST_OFFSETS_VERSION);
        Listener endpoint = leaderEndpoint(metadata.get()).orElseThrow(() -> new IOException("broker " + sourceBrokerId
                + " is not registered"));
        ListOffsetsResponse response = connection.send(endpoint.host(), endpoint.port(), request,
                ListOffsetsResponse.class);
        for (ListOffsetsResponseData.ListOffsetsTopicResponse t : response.data().topics()) {
            for (ListOffsetsResponseData.ListOffsetsPartitionResponse p : t.partitions()) {
                if (p.errorCode() == Errors.NONE.code()) {
                    return p.offset();
                }
            }
        }
        return -1L;
    }

    private Optional<Listener> leaderEndpoint(MetadataImage image) {
        BrokerRegistration source = image.brokers().get(sourceBrokerId);
        return source == null ? Optional.empty() : source.endpoint(settings.listenerName());
    }

    private synchronized void markFenced(TopicPartition tp, FetchState state) {
        if (partitions.get(tp) == state) {
            state.fenced = true;
        }
    }

    private synchronized void backOff(Map<TopicPartition, FetchState> states) {
        long until = System.currentTimeMillis() + settings.backoffMs();
        for (FetchState state : states.values()) {
            state.delayedUntilMs = until;
        }
    }

    private synchronized void backOffAll() {
        backOff(partitions);
    }

    @Override
    public void close() {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        InterBrokerConnection.stopOwner(thread, connection);
    }
}
