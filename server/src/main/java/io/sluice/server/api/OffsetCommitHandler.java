package io.sluice.server.api;

import io.sluice.coordinator.group.GroupApi;
import io.sluice.coordinator.group.GroupCoordinator;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetCommit v2-10 (topic ids from v10): partitions of unknown topics are UNKNOWN_TOPIC_OR_PARTITION (unknown
 * topic ids UNKNOWN_TOPIC_ID), as Kafka's {@code KafkaApis}; the rest goes to the coordinator, which checks the
 * member and generation, the metadata size, and persists the offsets before answering.
 */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {

    private final MetadataCache metadata;
    private final GroupCoordinator coordinator;

    public OffsetCommitHandler(MetadataCache metadata, GroupCoordinator coordinator) {
        this.metadata = metadata;
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 10;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetCommitRequest request) {
        short version = context.apiVersion();
        OffsetCommitRequestData data = request.data();
        MetadataImage image = metadata.image();
        Map<String, Errors> early = new HashMap<>();
        List<GroupApi.CommitPartition> partitions = new ArrayList<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
            String name = version >= 10 ? image.topicNamesById().get(topic.topicId()) : topic.name();
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                if (name == null) {
                    early.put(key(topic, p.partitionIndex()), Errors.UNKNOWN_TOPIC_ID);
                } else if (image.partition(new TopicPartition(name, p.partitionIndex())).isEmpty()) {
                    early.put(key(topic, p.partitionIndex()), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    partitions.add(new GroupApi.CommitPartition(name, p.partitionIndex(), p.committedOffset(),
                            p.committedLeaderEpoch(), p.committedMetadata()));
                }
            }
        }
        long retention = version <= 4 ? data.retentionTimeMs() : -1L;
        GroupApi.CommitRequest commit = new GroupApi.CommitRequest(data.groupId(), data.generationIdOrMemberEpoch(),
                data.memberId(), data.groupInstanceId(), retention, partitions);
        return coordinator.commitOffsets(commit, version).thenApply(results -> {
            Map<String, Errors> byName = new HashMap<>();
            results.forEach(r -> byName.put(r.topic() + "-" + r.partition(), r.error()));
            OffsetCommitResponseData response = new OffsetCommitResponseData();
            for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
                String name = version >= 10 ? image.topicNamesById().get(topic.topicId()) : topic.name();
                OffsetCommitResponseData.OffsetCommitResponseTopic out = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                        .setName(version >= 10 ? "" : topic.name()).setTopicId(topic.topicId());
                for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                    Errors error = early.get(key(topic, p.partitionIndex()));
                    if (error == null) {
                        error = byName.getOrDefault(name + "-" + p.partitionIndex(), Errors.UNKNOWN_SERVER_ERROR);
                    }
                    out.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
                }
                response.topics().add(out);
            }
            return response;
        });
    }

    private static String key(OffsetCommitRequestData.OffsetCommitRequestTopic topic, int partition) {
        return topic.name() + "/" + topic.topicId() + "/" + partition;
    }
}
