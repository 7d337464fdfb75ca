package io.sluice.server.api;

import io.sluice.coordinator.group.GroupCoordinator;
import io.sluice.server.group.OffsetsTopic;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * FindCoordinator v0-6 (batched keys from v4), as Kafka's {@code KafkaApis.handleFindCoordinatorRequest}: a GROUP
 * key's coordinator is the leader of {@code __consumer_offsets-(abs(hash) % partitions)}. The first request creates
 * the offsets topic and is answered COORDINATOR_NOT_AVAILABLE meanwhile, as Kafka does. TRANSACTION keys are
 * COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists; other key types INVALID_REQUEST.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {

    private final MetadataCache metadata;
    private final OffsetsTopic offsetsTopic;
    private final GroupCoordinator coordinator;

    public FindCoordinatorHandler(MetadataCache metadata, OffsetsTopic offsetsTopic, GroupCoordinator coordinator) {
        this.metadata = metadata;
        this.offsetsTopic = offsetsTopic;
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    private record Answer(Errors error, Node node) {
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, FindCoordinatorRequest request) {
        short version = context.apiVersion();
        byte keyType = request.data().keyType();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (version >= 4) {
            for (String key : request.data().coordinatorKeys()) {
                Answer answer = find(context, keyType, key);
                response.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                        .setErrorCode(answer.error().code())
                        .setErrorMessage(answer.error() == Errors.NONE ? null : answer.error().message())
                        .setNodeId(answer.node().id()).setHost(answer.node().host()).setPort(answer.node().port()));
            }
            return CompletableFuture.completedFuture(response);
        }
        Answer answer = find(context, keyType, request.data().key());
        response.setErrorCode(answer.error().code()).setNodeId(answer.node().id()).setHost(answer.node().host())
                .setPort(answer.node().port());
        if (version >= 1 && answer.error() != Errors.NONE) {
            response.setErrorMessage(answer.error().message());
        }
        return CompletableFuture.completedFuture(response);
    }

    private Answer find(RequestContext context, byte keyType, String key) {
        if (keyType == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()) {
            return new Answer(Errors.COORDINATOR_NOT_AVAILABLE, Node.noNode());
        }
        if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            return new Answer(Errors.INVALID_REQUEST, Node.noNode());
        }
        if (!offsetsTopic.ensureExists()) {
            return new Answer(Errors.COORDINATOR_NOT_AVAILABLE, Node.noNode());
        }
        MetadataImage image = metadata.image();
        TopicPartition tp = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, coordinator.partitionFor(key));
        Optional<Node> node = LeaderHints.state(image, tp)
                .flatMap(state -> LeaderHints.leaderNode(image, state, context.listenerName()));
        return node.map(n -> new Answer(Errors.NONE, n)).orElseGet(() -> new Answer(Errors.COORDINATOR_NOT_AVAILABLE, Node.noNode()));
    }

}
