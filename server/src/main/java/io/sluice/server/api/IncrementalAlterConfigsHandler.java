package io.sluice.server.api;

import io.sluice.server.config.DynamicConfigManager;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * IncrementalAlterConfigs (v0-1, KIP-339): SET, DELETE, APPEND and SUBTRACT on topic configs and on
 * dynamic broker configs (this broker's id, or "" for the cluster default), with validate_only. The
 * request-level checks are Kafka's {@code ConfigAdminManager.preprocess} (duplicate resources, duplicate
 * keys, null values); the rest is {@link DynamicConfigManager}. BROKER_LOGGER is refused with
 * INVALID_CONFIG: Sluice does not change log levels at runtime.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {

    private static final Logger log = LoggerFactory.getLogger(IncrementalAlterConfigsHandler.class);

    private final DynamicConfigManager configs;

    public IncrementalAlterConfigsHandler(DynamicConfigManager configs) {
        this.configs = configs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        boolean validateOnly = request.data().validateOnly();
        List<AlterConfigsResource> resources = new ArrayList<>(request.data().resources());
        return ConfigErrors.alterEach(resources, r -> r.resourceType() + "/" + r.resourceName(),
                r -> alter(r, validateOnly), log, "IncrementalAlterConfigs").thenApply(errors -> {
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
            for (int i = 0; i < resources.size(); i++) {
                ApiError error = errors.get(i);
                response.responses().add(new AlterConfigsResourceResponse()
                        .setResourceType(resources.get(i).resourceType())
                        .setResourceName(resources.get(i).resourceName())
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
            return response;
        });
    }

    private CompletableFuture<Void> alter(AlterConfigsResource resource, boolean validateOnly) {
        List<DynamicConfigManager.Op> ops = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<String> nullUpdates = new ArrayList<>();
        for (AlterableConfig config : resource.configs()) {
            if (!names.add(config.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
            AlterConfigOp.OpType type = AlterConfigOp.OpType.forId(config.configOperation());
            if (type == null) {
                throw new InvalidRequestException("Unknown operations type " + config.configOperation());
            }
            if (type != AlterConfigOp.OpType.DELETE && config.value() == null) {
                nullUpdates.add(config.name());
            }
            ops.add(new DynamicConfigManager.Op(config.name(), type, config.value()));
        }
        if (!nullUpdates.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", nullUpdates));
        }
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        switch (type) {
            case TOPIC -> {
                Topic.validate(resource.resourceName());
                return configs.incrementalAlterTopic(resource.resourceName(), ops, validateOnly);
            }
            case BROKER -> {
                return configs.incrementalAlterBroker(resource.resourceName(), ops, validateOnly);
            }
            case BROKER_LOGGER -> {
                configs.brokerEntity(resource.resourceName());
                throw new InvalidConfigurationException("Sluice does not change log levels at runtime");
            }
            default -> throw new InvalidRequestException("Unknown resource type " + resource.resourceType());
        }
    }
}
