package io.sluice.server.api;

import io.sluice.server.config.DynamicConfigManager;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * AlterConfigs (v0-2, the legacy API): replaces the whole set of dynamic configs of a topic or of a broker
 * (this broker's id, or "" for the cluster default); keys left out are deleted. Request-level checks are
 * Kafka's {@code ConfigAdminManager.preprocess}; BROKER_LOGGER is refused with INVALID_REQUEST as Kafka
 * does ("Unknown resource type 8").
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequest> {

    private static final Logger log = LoggerFactory.getLogger(AlterConfigsHandler.class);

    private final DynamicConfigManager configs;

    public AlterConfigsHandler(DynamicConfigManager configs) {
        this.configs = configs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, AlterConfigsRequest request) {
        boolean validateOnly = request.data().validateOnly();
        List<AlterConfigsResource> resources = new ArrayList<>(request.data().resources());
        return ConfigErrors.alterEach(resources, r -> r.resourceType() + "/" + r.resourceName(),
                r -> alter(r, validateOnly), log, "AlterConfigs").thenApply(errors -> {
            AlterConfigsResponseData response = new AlterConfigsResponseData();
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
        Map<String, String> newConfigs = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        List<String> nullUpdates = new ArrayList<>();
        for (AlterableConfig config : resource.configs()) {
            if (!names.add(config.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
            if (config.value() == null) {
                nullUpdates.add(config.name());
            }
            newConfigs.put(config.name(), config.value());
        }
        if (!nullUpdates.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", nullUpdates));
        }
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        switch (type) {
            case TOPIC -> {
                Topic.validate(resource.resourceName());
                return configs.replaceTopic(resource.resourceName(), newConfigs, validateOnly);
            }
            case BROKER -> {
                return configs.replaceBroker(resource.resourceName(), newConfigs, validateOnly);
            }
            default -> throw new InvalidRequestException("Unknown resource type " + resource.resourceType());
        }
    }
}
