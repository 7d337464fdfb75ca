package io.sluice.server.api;

import io.sluice.coordinator.group.GroupApi;
import io.sluice.coordinator.group.GroupCoordinator;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.TopicMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetFetch v1-10: one group before v8, many from v8 (KIP-709), topic ids from v10. Null topics fetch every
 * committed partition. Before v2 a group error is reported in each partition, as Kafka does.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {

    private final MetadataCache metadata;
    private final GroupCoordinator coordinator;

    public OffsetFetchHandler(MetadataCache metadata, GroupCoordinator coordinator) {
        this.metadata = metadata;
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 10;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetFetchRequest request) {
        short version = context.apiVersion();
        OffsetFetchRequestData data = request.data();
        MetadataImage image = metadata.image();
        if (version < 8) {
            List<GroupApi.TopicPartitionKey> partitions = null;
            if (data.topics() != null) {
                partitions = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : data.topics()) {
                    for (Integer p : t.partitionIndexes()) {
                        partitions.add(new GroupApi.TopicPartitionKey(t.name(), p));
                    }
                }
            }
            return coordinator.fetchOffsets(new GroupApi.FetchRequest(data.groupId(), partitions, data.requireStable()))
                    .thenApply(result -> single(version, result));
        }
        List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> groups = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestGroup g : data.groups()) {
            List<GroupApi.TopicPartitionKey> partitions = null;
            Map<String, Uuid> requestedIds = new LinkedHashMap<>();
            if (g.topics() != null) {
                partitions = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                    String name = version >= 10 ? image.topicNamesById().get(t.topicId()) : t.name();
                    if (name == null) {
                        name = "";
                    }
                    requestedIds.put(name, t.topicId());
                    for (Integer p : t.partitionIndexes()) {
                        partitions.add(new GroupApi.TopicPartitionKey(name, p));
                    }
                }
            }
            groups.add(coordinator.fetchOffsets(new GroupApi.FetchRequest(g.groupId(), partitions, data.requireStable()))
                    .thenApply(result -> group(version, image, g.groupId(), result, requestedIds)));
        }
        return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(v -> {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            groups.forEach(f -> response.groups().add(f.join()));
            return response;
        });
    }

    private static ApiMessage single(short version, GroupApi.FetchResult result) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopic> topics = new LinkedHashMap<>();
        for (GroupApi.FetchedOffset o : result.offsets()) {
            OffsetFetchResponseData.OffsetFetchResponseTopic topic = topics.computeIfAbsent(o.topic(),
                    n -> new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(n));
            topic.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                    .setPartitionIndex(o.partition()).setCommittedOffset(o.offset())
                    .setCommittedLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata())
                    .setErrorCode((version < 2 && result.error() != Errors.NONE ? result.error() : o.error()).code()));
        }
        response.topics().addAll(topics.values());
        if (version >= 2) {
            response.setErrorCode(result.error().code());
        }
        return response;
    }

    private static OffsetFetchResponseData.OffsetFetchResponseGroup group(short version, MetadataImage image,
                                                                         String groupId, GroupApi.FetchResult result,
                                                                         Map<String, Uuid> requestedIds) {
        OffsetFetchResponseData.OffsetFetchResponseGroup group = new OffsetFetchResponseData.OffsetFetchResponseGroup()
                .setGroupId(groupId).setErrorCode(result.error().code());
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
        for (GroupApi.FetchedOffset o : result.offsets()) {
            OffsetFetchResponseData.OffsetFetchResponseTopics topic = topics.computeIfAbsent(o.topic(), n -> {
                OffsetFetchResponseData.OffsetFetchResponseTopics t = new OffsetFetchResponseData.OffsetFetchResponseTopics();
                if (version >= 10) {
                    Uuid id = requestedIds.get(n);
                    if (id == null) {
                        id = image.topic(n).map(TopicMetadata::topicId).orElse(Uuid.ZERO_UUID);
                    }
                    t.setTopicId(id);
                } else {
                    t.setName(n);
                }
                return t;
            });
            topic.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                    .setPartitionIndex(o.partition()).setCommittedOffset(o.offset())
                    .setCommittedLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata()).setErrorCode(o.error().code()));
        }
        group.topics().addAll(topics.values());
        return group;
    }
}
