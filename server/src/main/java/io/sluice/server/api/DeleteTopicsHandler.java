package io.sluice.server.api;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.controller.TopicAdmin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteTopics (v1-6): by name, or from v6 by topic id, through {@link TopicAdmin}; answers once the topic
 * is gone from the metadata image or {@code timeout_ms} passed (REQUEST_TIMED_OUT). Unknown names are
 * UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID. With {@code delete.topic.enable=false} every
 * topic fails with TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3), as Kafka.
 */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {

    private final TopicAdmin topicAdmin;
    private final BrokerConfig config;

    public DeleteTopicsHandler(TopicAdmin topicAdmin, BrokerConfig config) {
        this.topicAdmin = topicAdmin;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteTopicsRequest request) {
        short version = context.apiVersion();
        int timeoutMs = request.data().timeoutMs();
        List<DeleteTopicState> topics = request.topics(); // v0-5 names are converted by kafka-clients
        Map<String, Integer> names = new HashMap<>();
        Map<Uuid, Integer> ids = new HashMap<>();
        for (DeleteTopicState t : topics) {
            if (t.name() != null) {
                names.merge(t.name(), 1, Integer::sum);
            }
            if (t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId())) {
                ids.merge(t.topicId(), 1, Integer::sum);
            }
        }
        boolean enabled = config.getBoolean(BrokerConfig.DELETE_TOPIC_ENABLE);
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        for (DeleteTopicState t : topics) {
            boolean byId = t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId());
            DeletableTopicResult base = new DeletableTopicResult().setName(t.name())
                    .setTopicId(byId ? t.topicId() : Uuid.ZERO_UUID);
            ApiError invalid = null;
            if (!enabled) {
                invalid = version < 3 ? new ApiError(Errors.INVALID_REQUEST, "Topic deletion is disabled.")
                        : new ApiError(Errors.TOPIC_DELETION_DISABLED);
            } else if (t.name() == null && !byId) {
                invalid = new ApiError(Errors.INVALID_REQUEST, "Neither topic name nor id were specified.");
            } else if (t.name() != null && byId) {
                invalid = new ApiError(Errors.INVALID_REQUEST, "You may not specify both topic name and topic id.");
            } else if (t.name() != null && names.get(t.name()) > 1) {
                invalid = new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name.");
            } else if (byId && ids.get(t.topicId()) > 1) {
                invalid = new ApiError(Errors.INVALID_REQUEST, "Duplicate topic id.");
            }
            // Authorization (DELETE on the topic) goes here once ACLs exist.
            if (invalid != null) {
                results.add(CompletableFuture.completedFuture(withError(base, invalid)));
            } else if (byId) {
                results.add(topicAdmin.deleteTopic(t.topicId(), timeoutMs).handle((name, e) -> e != null
                        ? withError(base, AdminErrors.toApiError(e, "DeleteTopics of " + t.topicId()))
                        : base.setName(name).setErrorCode(Errors.NONE.code())));
            } else {
                results.add(topicAdmin.deleteTopic(t.name(), timeoutMs).handle((id, e) -> e != null
                        ? withError(base, AdminErrors.toApiError(e, "DeleteTopics of " + t.name()))
                        : base.setTopicId(id).setErrorCode(Errors.NONE.code())));
            }
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            DeleteTopicsResponseData.DeletableTopicResultCollection responses =
                    new DeleteTopicsResponseData.DeletableTopicResultCollection();
            results.forEach(r -> responses.add(r.join()));
            return new DeleteTopicsResponseData().setResponses(responses);
        });
    }

    private static DeletableTopicResult withError(DeletableTopicResult result, ApiError error) {
        return result.setErrorCode(error.error().code()).setErrorMessage(error.message());
    }
}
