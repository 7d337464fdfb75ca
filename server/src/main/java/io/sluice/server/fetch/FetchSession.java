package io.sluice.server.fetch;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.requests.FetchRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One incremental fetch session (KIP-227): its id, its expected next epoch, and its partitions in
 * response-fairness order (a partition that returned data moves to the end). As Kafka's
 * {@code FetchSession}.
 *
 * <p>Guarded by its own monitor. {@link FetchSessionCache} locks are never taken while holding it.
 */
public final class FetchSession {

    final int id;
    /** Sessions of followers are privileged for eviction. */
    final boolean privileged;
    /** Created by a Fetch v13+ (topic ids); mixing is FETCH_SESSION_TOPIC_ID_ERROR. */
    final boolean usesTopicIds;
    final long creationMs;
    final LinkedHashMap<SessionKey, CachedPartition> partitions;
    long lastUsedMs;
    int epoch;
    /** The size last accounted in the cache's eviction trees; -1 when not in the cache. */
    int cachedSize = -1;

    FetchSession(int id, boolean privileged, boolean usesTopicIds, LinkedHashMap<SessionKey, CachedPartition> partitions,
                 long creationMs, int epoch) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.partitions = partitions;
        this.creationMs = creationMs;
        this.lastUsedMs = creationMs;
        this.epoch = epoch;
    }

    public int id() {
        return id;
    }

    public synchronized int epoch() {
        return epoch;
    }

    public synchronized int size() {
        return partitions.size();
    }

    /** Adds or updates the partitions of an incremental request and drops the forgotten ones. */
    synchronized void update(Map<TopicIdPartition, FetchRequest.PartitionData> fetchData, List<TopicIdPartition> toForget,
                             Map<Uuid, String> topicNames) {
        for (CachedPartition cached : partitions.values()) {
            cached.maybeResolveName(topicNames);
        }
        for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> entry : fetchData.entrySet()) {
            SessionKey key = SessionKey.of(entry.getKey(), usesTopicIds);
            CachedPartition cached = partitions.get(key);
            if (cached == null) {
                partitions.put(key, new CachedPartition(entry.getKey(), entry.getValue()));
            } else {
                cached.requestData = entry.getValue();
                if (cached.topicIdPartition.topic() == null) {
                    cached.topicIdPartition = entry.getKey();
                }
            }
        }
        for (TopicIdPartition forgotten : toForget) {
            partitions.remove(SessionKey.of(forgotten, usesTopicIds));
        }
    }

    @Override
    public synchronized String toString() {
        return "FetchSession(id=" + id + ", privileged=" + privileged + ", partitions=" + partitions.size()
                + ", creationMs=" + creationMs + ", lastUsedMs=" + lastUsedMs + ", epoch=" + epoch + ")";
    }
}
