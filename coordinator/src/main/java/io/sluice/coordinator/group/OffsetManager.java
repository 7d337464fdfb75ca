package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.CommitPartition;
import io.sluice.coordinator.group.GroupApi.CommitRequest;
import io.sluice.coordinator.group.GroupApi.FetchRequest;
import io.sluice.coordinator.group.GroupApi.FetchResult;
import io.sluice.coordinator.group.GroupApi.FetchedOffset;
import io.sluice.coordinator.group.GroupApi.PartitionError;
import io.sluice.coordinator.group.GroupApi.TopicPartitionKey;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;

/**
 * Committed offsets, as Kafka's {@code OffsetMetadataManager}: OffsetCommit (member and generation checks of
 * the classic group, simple commits by {@code assign()} consumers), OffsetFetch, OffsetDelete and expiry
 * ({@code offsets.retention.minutes}). The in-memory offsets change only by {@link #replay}ing records once
 * they are appended. Confined to the coordinator thread.
 */
final class OffsetManager {

    private static final Logger log = LoggerFactory.getLogger(OffsetManager.class);

    private final GroupConfig config;
    private final Time time;
    private final AppendQueue appends;
    private final GroupCoordinatorShard groups;
    private final Map<String, Map<TopicPartitionKey, OffsetAndMetadata>> offsets = new HashMap<>();

    OffsetManager(GroupConfig config, Time time, AppendQueue appends, GroupCoordinatorShard groups) {
        this.config = config;
        this.time = time;
        this.appends = appends;
        this.groups = groups;
    }

    void replay(String groupId, String topic, int partition, OffsetAndMetadata value) {
        TopicPartitionKey key = new TopicPartitionKey(topic, partition);
        if (value == null) {
            Map<TopicPartitionKey, OffsetAndMetadata> group = offsets.get(groupId);
            if (group != null) {
                group.remove(key);
                if (group.isEmpty()) {
                    offsets.remove(groupId);
                }
            }
        } else {
            offsets.computeIfAbsent(groupId, g -> new LinkedHashMap<>()).put(key, value);
        }
    }

    boolean hasOffsets(String groupId) {
        Map<TopicPartitionKey, OffsetAndMetadata> group = offsets.get(groupId);
        return group != null && !group.isEmpty();
    }

    void removeGroup(String groupId) {
        offsets.remove(groupId);
    }

    List<CoordinatorRecord> tombstones(String groupId) {
        List<CoordinatorRecord> records = new ArrayList<>();
        offsets.getOrDefault(groupId, Map.of()).keySet().forEach(k ->
                records.add(GroupRecords.offsetCommitTombstone(groupId, k.topic(), k.partition())));
        return records;
    }

    // ---------------------------------------------------------------- OffsetCommit

    /** OffsetCommit; {@code apiVersion} decides GROUP_ID_NOT_FOUND (v9+) or ILLEGAL_GENERATION for an unknown group. */
    CompletableFuture<List<PartitionError>> commit(CommitRequest request, short apiVersion) {
        CompletableFuture<List<PartitionError>> future = new CompletableFuture<>();
        Errors error = validateCommit(request, apiVersion);
        if (error != Errors.NONE) {
            future.complete(allWith(request.partitions(), error));
            return future;
        }
        long now = time.milliseconds();
        long expireTimestamp = request.retentionTimeMs() >= 0 ? now + request.retentionTimeMs() : -1L;
        List<PartitionError> results = new ArrayList<>();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<CommitPartition> accepted = new ArrayList<>();
        for (CommitPartition p : request.partitions()) {
            String metadata = p.metadata() == null ? "" : p.metadata();
            if (metadata.length() > config.offsetMetadataMaxBytes()) {
                results.add(new PartitionError(p.topic(), p.partition(), Errors.OFFSET_METADATA_TOO_LARGE));
                continue;
            }
            OffsetAndMetadata value = new OffsetAndMetadata(p.offset(), p.leaderEpoch(), metadata, now, expireTimestamp);
            records.add(GroupRecords.offsetCommit(request.groupId(), p.topic(), p.partition(), value));
            accepted.add(p);
            results.add(new PartitionError(p.topic(), p.partition(), Errors.NONE));
        }
        appends.append(groups.partitionFor(request.groupId()), records, appendError -> {
            if (appendError == Errors.NONE) {
                for (int i = 0; i < accepted.size(); i++) {
                    CommitPartition p = accepted.get(i);
                    GroupRecords.OffsetRecord r = (GroupRecords.OffsetRecord) GroupRecords.decode(
                            ByteBuffer.wrap(records.get(i).key()), ByteBuffer.wrap(records.get(i).value()));
                    replay(request.groupId(), p.topic(), p.partition(), r.value());
                }
                future.complete(results);
            } else {
                maybeRemoveEmptySimpleGroup(request.groupId());
                List<PartitionError> failed = new ArrayList<>();
                for (PartitionError r : results) {
                    failed.add(r.error() == Errors.NONE ? new PartitionError(r.topic(), r.partition(), appendError) : r);
                }
                future.complete(failed);
            }
        });
        return future;
    }

    private void maybeRemoveEmptySimpleGroup(String groupId) {
        ClassicGroup group = groups.group(groupId);
        if (group != null && group.numMembers() == 0 && group.protocolType() == null && !hasOffsets(groupId)) {
            groups.removeGroup(groupId);
        }
    }

    /** Kafka's {@code ClassicGroup.validateOffsetCommit}, with a simple group created for generation -1 commits. */
    private Errors validateCommit(CommitRequest request, short apiVersion) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (!groups.owns(groupId)) {
            return Errors.NOT_COORDINATOR;
        }
        ClassicGroup group = groups.group(groupId);
        if (group == null) {
            if (request.generationId() >= 0) {
                return apiVersion >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
            }
            group = groups.getOrCreateGroup(groupId);
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (request.generationId() >= 0 || !memberId.isEmpty() || request.groupInstanceId() != null) {
            if (request.groupInstanceId() != null) {
                String existing = group.staticMemberId(request.groupInstanceId());
                if (existing != null && !existing.equals(memberId)) {
                    return Errors.FENCED_INSTANCE_ID;
                }
            }
            if (!group.hasMember(memberId)) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (request.generationId() != group.generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!group.isInState(ClassicGroupState.EMPTY)) {
            // Commits without member and generation are only accepted while the group is empty.
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    private static List<PartitionError> allWith(List<CommitPartition> partitions, Errors error) {
        List<PartitionError> results = new ArrayList<>(partitions.size());
        partitions.forEach(p -> results.add(new PartitionError(p.topic(), p.partition(), error)));
        return results;
    }

    // ---------------------------------------------------------------- OffsetFetch

    /**
     * OffsetFetch of one group: the requested partitions (-1 when nothing is committed) or every committed one.
     * No transactional offsets are pending yet, so {@code require_stable} never answers UNSTABLE_OFFSET_COMMIT.
     */
    FetchResult fetch(FetchRequest request) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return new FetchResult(Errors.INVALID_GROUP_ID, List.of());
        }
        if (!groups.owns(request.groupId())) {
            return new FetchResult(Errors.NOT_COORDINATOR, List.of());
        }
        Map<TopicPartitionKey, OffsetAndMetadata> committed = offsets.getOrDefault(request.groupId(), Map.of());
        List<FetchedOffset> result = new ArrayList<>();
        if (request.partitions() == null) {
            committed.forEach((k, v) -> result.add(fetched(k, v)));
        } else {
            for (TopicPartitionKey k : request.partitions()) {
                result.add(fetched(k, committed.get(k)));
            }
        }
        return new FetchResult(Errors.NONE, result);
    }

    private static FetchedOffset fetched(TopicPartitionKey k, OffsetAndMetadata v) {
        return v == null ? new FetchedOffset(k.topic(), k.partition(), -1L, -1, "", Errors.NONE)
                : new FetchedOffset(k.topic(), k.partition(), v.offset(), v.leaderEpoch(), v.metadata(), Errors.NONE);
    }

    // ---------------------------------------------------------------- OffsetDelete

    /** OffsetDelete: a group error, or per partition NONE / GROUP_SUBSCRIBED_TO_TOPIC. */
    CompletableFuture<Map.Entry<Errors, List<PartitionError>>> delete(String groupId, List<TopicPartitionKey> partitions) {
        CompletableFuture<Map.Entry<Errors, List<PartitionError>>> future = new CompletableFuture<>();
        if (groupId == null || groupId.isEmpty()) {
            return done(future, Errors.INVALID_GROUP_ID);
        }
        if (!groups.owns(groupId)) {
            return done(future, Errors.NOT_COORDINATOR);
        }
        ClassicGroup group = groups.group(groupId);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            return done(future, Errors.GROUP_ID_NOT_FOUND);
        }
        if (!group.isInState(ClassicGroupState.EMPTY) && !group.usesConsumerProtocol()) {
            return done(future, Errors.NON_EMPTY_GROUP);
        }
        Set<String> subscribed = subscribedTopics(group);
        List<PartitionError> results = new ArrayList<>();
        List<CoordinatorRecord> records = new ArrayList<>();
        Map<TopicPartitionKey, OffsetAndMetadata> committed = offsets.getOrDefault(groupId, Map.of());
        for (TopicPartitionKey k : partitions) {
            if (subscribed == null || subscribed.contains(k.topic())) {
                results.add(new PartitionError(k.topic(), k.partition(), Errors.GROUP_SUBSCRIBED_TO_TOPIC));
            } else {
                if (committed.containsKey(k)) {
                    records.add(GroupRecords.offsetCommitTombstone(groupId, k.topic(), k.partition()));
                }
                results.add(new PartitionError(k.topic(), k.partition(), Errors.NONE));
            }
        }
        appends.append(groups.partitionFor(groupId), records, error -> {
            if (error != Errors.NONE) {
                future.complete(Map.entry(error, List.of()));
                return;
            }
            results.stream().filter(r -> r.error() == Errors.NONE).forEach(r -> replay(groupId, r.topic(), r.partition(), null));
            future.complete(Map.entry(Errors.NONE, results));
        });
        return future;
    }

    private static CompletableFuture<Map.Entry<Errors, List<PartitionError>>> done(
            CompletableFuture<Map.Entry<Errors, List<PartitionError>>> future, Errors error) {
        future.complete(Map.entry(error, List.of()));
        return future;
    }

    /**
     * Kafka's {@code isSubscribedToTopic}: the topics in the members' consumer subscriptions; empty for an empty
     * group; null (subscribed to everything) when they are not known (mid-rebalance, undecodable).
     */
    private static Set<String> subscribedTopics(ClassicGroup group) {
        if (group.numMembers() == 0) {
            return Set.of();
        }
        if (!group.usesConsumerProtocol() || group.protocolName() == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        try {
            for (ClassicGroupMember m : group.members()) {
                byte[] metadata = m.metadata(group.protocolName());
                if (metadata == null) {
                    return null;
                }
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return topics;
    }

    // ---------------------------------------------------------------- deleted topics

    /**
     * Kafka's {@code onPartitionsDeleted}: the committed offsets of deleted topics are tombstoned in every group of
     * the owned partitions, so that they neither show in OffsetFetch nor apply to a topic created again under the
     * same name.
     */
    void onTopicsDeleted(Set<String> topics) {
        Map<Integer, List<Map.Entry<String, TopicPartitionKey>>> deletedByPartition = new HashMap<>();
        offsets.forEach((groupId, committed) -> {
            if (!groups.owns(groupId)) {
                return;
            }
            committed.keySet().stream().filter(k -> topics.contains(k.topic())).forEach(k -> deletedByPartition
                    .computeIfAbsent(groups.partitionFor(groupId), p -> new ArrayList<>()).add(Map.entry(groupId, k)));
        });
        deletedByPartition.forEach((partition, deleted) -> {
            List<CoordinatorRecord> records = new ArrayList<>();
            deleted.forEach(e -> records.add(GroupRecords.offsetCommitTombstone(e.getKey(), e.getValue().topic(),
                    e.getValue().partition())));
            appends.append(partition, records, error -> {
                if (error != Errors.NONE) {
                    log.warn("Cannot delete the {} offsets of deleted topics {} in __consumer_offsets-{}: {}",
                            deleted.size(), topics, partition, error);
                    return;
                }
                deleted.forEach(e -> replay(e.getKey(), e.getValue().topic(), e.getValue().partition(), null));
                log.info("Deleted {} offsets of deleted topics {} in __consumer_offsets-{}", deleted.size(), topics, partition);
            });
        });
    }

    // ---------------------------------------------------------------- expiry

    /**
     * Removes expired offsets, as Kafka's {@code cleanupExpiredOffsets} with the classic group's
     * {@code offsetExpirationCondition} (KIP-211): an offset with an expire timestamp (v2-4 commits) expires then;
     * otherwise {@code offsets.retention.minutes} after
     * <ul>
     *   <li>the time the group became Empty, for an Empty group with a protocol type;</li>
     *   <li>its commit, for a simple group (no protocol type, {@code assign()} consumers);</li>
     *   <li>its commit, for a Stable consumer group whose subscriptions are known, but only for topics none of its
     *       members is subscribed to (KIP-496);</li>
     * </ul>
     * and never in other states. Expired offsets are tombstoned, so a replay of the partition forgets them too;
     * an Empty group left with no offsets is deleted (group tombstone) as well.
     */
    void expireOffsets() {
        long now = time.milliseconds();
        for (ClassicGroup group : groups.groups()) {
            String groupId = group.groupId();
            if (!groups.owns(groupId)) {
                continue;
            }
            ToLongFunction<OffsetAndMetadata> baseTimestamp = expirationBase(group);
            if (baseTimestamp == null) {
                continue;
            }
            Set<String> subscribed = group.protocolType() == null ? Set.of() : subscribedTopics(group);
            Map<TopicPartitionKey, OffsetAndMetadata> committed = offsets.getOrDefault(groupId, Map.of());
            List<TopicPartitionKey> expired = new ArrayList<>();
            committed.forEach((k, v) -> {
                if (subscribed != null && subscribed.contains(k.topic())) {
                    return;
                }
                boolean isExpired = v.expireTimestampMs() >= 0 ? now >= v.expireTimestampMs()
                        : now - baseTimestamp.applyAsLong(v) >= config.offsetsRetentionMs();
                if (isExpired) {
                    expired.add(k);
                }
            });
            boolean deleteGroup = expired.size() == committed.size() && group.isInState(ClassicGroupState.EMPTY);
            if (expired.isEmpty() && !deleteGroup) {
                continue;
            }
            List<CoordinatorRecord> records = new ArrayList<>();
            expired.forEach(k -> records.add(GroupRecords.offsetCommitTombstone(groupId, k.topic(), k.partition())));
            if (deleteGroup) {
                records.add(GroupRecords.groupMetadataTombstone(groupId));
            }
            appends.append(groups.partitionFor(groupId), records, error -> {
                if (error != Errors.NONE) {
                    log.warn("Cannot expire {} offsets of group {}: {}", expired.size(), groupId, error);
                    return;
                }
                expired.forEach(k -> replay(groupId, k.topic(), k.partition(), null));
                if (deleteGroup && groups.group(groupId) == group && group.isInState(ClassicGroupState.EMPTY)
                        && !hasOffsets(groupId)) {
                    groups.removeGroup(groupId);
                }
                log.info("Expired {} offsets of group {}{}", expired.size(), groupId, deleteGroup ? " and removed the group" : "");
            });
        }
    }

    /** The time an offset's retention counts from, or null when the group's offsets do not expire now. */
    private static ToLongFunction<OffsetAndMetadata> expirationBase(ClassicGroup group) {
        if (group.protocolType() == null) {
            return OffsetAndMetadata::commitTimestampMs;
        }
        if (group.isInState(ClassicGroupState.EMPTY)) {
            long emptySince = group.currentStateTimestampMs();
            return v -> emptySince;
        }
        if (group.isInState(ClassicGroupState.STABLE) && group.usesConsumerProtocol() && subscribedTopics(group) != null) {
            return OffsetAndMetadata::commitTimestampMs;
        }
        return null;
    }
}
