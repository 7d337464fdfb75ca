package io.sluice.server.api;

import io.sluice.coordinator.group.GroupApi;
import io.sluice.coordinator.group.GroupCoordinator;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** OffsetDelete v0: unknown partitions are UNKNOWN_TOPIC_OR_PARTITION; GROUP_SUBSCRIBED_TO_TOPIC while subscribed. */
public final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {

    private final MetadataCache metadata;
    private final GroupCoordinator coordinator;

    public OffsetDeleteHandler(MetadataCache metadata, GroupCoordinator coordinator) {
        this.metadata = metadata;
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetDeleteRequest request) {
        OffsetDeleteRequestData data = request.data();
        MetadataImage image = metadata.image();
        List<GroupApi.TopicPartitionKey> partitions = new ArrayList<>();
        Map<String, Errors> early = new HashMap<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : data.topics()) {
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                if (image.partition(new TopicPartition(t.name(), p.partitionIndex())).isEmpty()) {
                    early.put(t.name() + "-" + p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    partitions.add(new GroupApi.TopicPartitionKey(t.name(), p.partitionIndex()));
                }
            }
        }
        return coordinator.deleteOffsets(data.groupId(), partitions).thenApply(result -> {
            OffsetDeleteResponseData response = new OffsetDeleteResponseData().setErrorCode(result.getKey().code());
            if (result.getKey() != Errors.NONE) {
                return response;
            }
            Map<String, Errors> errors = new HashMap<>(early);
            result.getValue().forEach(r -> errors.put(r.topic() + "-" + r.partition(), r.error()));
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : data.topics()) {
                OffsetDeleteResponseData.OffsetDeleteResponseTopic topic =
                        new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
                for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                    topic.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                            .setPartitionIndex(p.partitionIndex())
                            .setErrorCode(errors.getOrDefault(t.name() + "-" + p.partitionIndex(), Errors.NONE).code()));
                }
                response.topics().add(topic);
            }
            return response;
        });
    }
}
