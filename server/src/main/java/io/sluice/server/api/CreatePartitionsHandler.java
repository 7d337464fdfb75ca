package io.sluice.server.api;

import io.sluice.server.controller.TopicAdmin;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * CreatePartitions (v0-3): raises partition counts through {@link TopicAdmin} (INVALID_PARTITIONS for no
 * increase, INVALID_REPLICA_ASSIGNMENT for bad assignments, UNKNOWN_TOPIC_OR_PARTITION), honouring
 * {@code validate_only} and {@code timeout_ms}. A topic named twice is INVALID_REQUEST.
 */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {

    private final TopicAdmin topicAdmin;

    public CreatePartitionsHandler(TopicAdmin topicAdmin) {
        this.topicAdmin = topicAdmin;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, CreatePartitionsRequest request) {
        CreatePartitionsRequestData data = request.data();
        Map<String, Integer> counts = new HashMap<>();
        data.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsTopic topic : data.topics()) {
            if (counts.get(topic.name()) > 1) {
                results.add(CompletableFuture.completedFuture(result(topic.name(),
                        new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name."))));
                continue;
            }
            // Authorization (ALTER on the topic) goes here once ACLs exist.
            List<List<Integer>> assignment = topic.assignments() == null ? null
                    : topic.assignments().stream().map(a -> List.copyOf(a.brokerIds())).toList();
            results.add(topicAdmin.createPartitions(topic.name(), topic.count(), assignment, data.validateOnly(),
                    data.timeoutMs()).handle((v, e) -> result(topic.name(), e == null ? ApiError.NONE
                    : AdminErrors.toApiError(e, "CreatePartitions of " + topic.name()))));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<CreatePartitionsTopicResult> responses = new ArrayList<>();
            results.forEach(r -> responses.add(r.join()));
            return new CreatePartitionsResponseData().setResults(responses);
        });
    }

    private static CreatePartitionsTopicResult result(String name, ApiError error) {
        return new CreatePartitionsTopicResult().setName(name).setErrorCode(error.error().code())
                .setErrorMessage(error.message());
    }
}
