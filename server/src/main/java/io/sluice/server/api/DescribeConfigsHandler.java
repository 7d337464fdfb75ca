package io.sluice.server.api;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.ConfigDescriber;
import io.sluice.server.config.ConfigDescription;
import io.sluice.server.metadata.MetadataImage;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * DescribeConfigs (v1-4) for TOPIC, BROKER and BROKER_LOGGER resources, answered from one metadata image
 * as Kafka's {@code ConfigHelper} answers it: topics that do not exist get UNKNOWN_TOPIC_OR_PARTITION,
 * a broker id other than ours INVALID_REQUEST, and BROKER_LOGGER an empty list (Sluice has no runtime
 * logger levels to show).
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {

    private static final Logger log = LoggerFactory.getLogger(DescribeConfigsHandler.class);

    private final BrokerConfig config;
    private final ConfigDescriber describer;
    private final Supplier<MetadataImage> image;

    public DescribeConfigsHandler(BrokerConfig config, Supplier<MetadataImage> image) {
        this.config = config;
        this.describer = new ConfigDescriber(config);
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeConfigsRequest request) {
        MetadataImage snapshot = image.get();
        boolean includeSynonyms = request.data().includeSynonyms();
        boolean includeDocumentation = request.data().includeDocumentation();
        short version = context.apiVersion();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : request.data().resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            try {
                List<ConfigDescription> configs = describe(snapshot, resource, includeDocumentation);
                List<DescribeConfigsResourceResult> entries = new ArrayList<>(configs.size());
                for (ConfigDescription description : configs) {
                    entries.add(entry(description, includeSynonyms, version));
                }
                result.setErrorCode(Errors.NONE.code()).setConfigs(entries);
            } catch (UnknownTopicOrPartitionException e) {
                // Kafka answers a missing topic with the code alone.
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            } catch (RuntimeException e) {
                ApiError error = ConfigErrors.toApiError(e, log, "DescribeConfigs of " + resource);
                result.setErrorCode(error.error().code()).setErrorMessage(error.message());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private List<ConfigDescription> describe(MetadataImage snapshot, DescribeConfigsResource resource,
                                             boolean includeDocumentation) {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        List<String> keys = resource.configurationKeys();
        switch (type) {
            case TOPIC -> {
                Topic.validate(name);
                return describer.describeTopic(snapshot, name, keys, includeDocumentation);
            }
            case BROKER -> {
                if (name == null || name.isEmpty()) {
                    return describer.describeBroker(snapshot, false, keys, includeDocumentation);
                }
                if (brokerId(name) != config.brokerId()) {
                    throw new InvalidRequestException("Unexpected broker id, expected " + config.brokerId()
                            + " or empty string, but received " + name);
                }
                return describer.describeBroker(snapshot, true, keys, includeDocumentation);
            }
            case BROKER_LOGGER -> {
                if (name == null || name.isEmpty()) {
                    throw new InvalidRequestException("Broker id must not be empty");
                }
                if (brokerId(name) != config.brokerId()) {
                    throw new InvalidRequestException("Unexpected broker id, expected " + config.brokerId()
                            + " but received " + name);
                }
                return List.of();
            }
            default -> throw new InvalidRequestException("Unsupported resource type: " + type);
        }
    }

    private static int brokerId(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + name);
        }
    }

    private static DescribeConfigsResourceResult entry(ConfigDescription description, boolean includeSynonyms,
                                                       short version) {
        DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult()
                .setName(description.name())
                .setValue(description.value())
                .setConfigSource(description.source().id())
                .setIsSensitive(description.sensitive())
                .setReadOnly(description.readOnly());
        if (includeSynonyms) {
            List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
            for (ConfigDescription.Synonym synonym : description.synonyms()) {
                synonyms.add(new DescribeConfigsSynonym().setName(synonym.name()).setValue(synonym.value())
                        .setSource(synonym.source().id()));
            }
            entry.setSynonyms(synonyms);
        }
        if (version >= 3) {
            DescribeConfigsResponse.ConfigType type = description.type() == null
                    ? DescribeConfigsResponse.ConfigType.UNKNOWN
                    : DescribeConfigsResponse.ConfigType.valueOf(description.type().name());
            entry.setConfigType(type.id()).setDocumentation(description.documentation());
        }
        return entry;
    }
}
