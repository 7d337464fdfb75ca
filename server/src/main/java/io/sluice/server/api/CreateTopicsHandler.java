package io.sluice.server.api;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.TopicConfigs;
import io.sluice.server.controller.TopicAdmin;
import io.sluice.server.metadata.MetadataCache;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * CreateTopics (v2-7): per topic, validation and creation through {@link TopicAdmin}, whose errors are
 * Kafka's (TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT,
 * INVALID_TOPIC_EXCEPTION, INVALID_CONFIG, REQUEST_TIMED_OUT when {@code timeout_ms} passes before the new
 * partitions have leaders). A name given twice is INVALID_REQUEST. From v5 a successful result carries the
 * partition count, replication factor and the topic's effective configs; from v7 its topic id.
 */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {

    private final TopicAdmin topicAdmin;
    private final MetadataCache cache;
    private final BrokerConfig config;

    public CreateTopicsHandler(TopicAdmin topicAdmin, MetadataCache cache, BrokerConfig config) {
        this.topicAdmin = topicAdmin;
        this.cache = cache;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 7;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, CreateTopicsRequest request) {
        CreateTopicsRequestData data = request.data();
        short version = context.apiVersion();
        Map<String, Integer> counts = new HashMap<>();
        data.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        // Authorization (CREATE on the cluster or topic) goes here once ACLs exist; without an authorizer all is allowed.
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        for (CreatableTopic topic : data.topics()) {
            if (counts.get(topic.name()) > 1) {
                results.add(CompletableFuture.completedFuture(error(topic.name(),
                        new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name."))));
                continue;
            }
            results.add(topicAdmin.createTopic(toNewTopic(topic), data.validateOnly(), data.timeoutMs())
                    .handle((created, e) -> e != null
                            ? error(topic.name(), AdminErrors.toApiError(e, "CreateTopics of " + topic.name()))
                            : success(created, version)));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            CreateTopicsResponseData.CreatableTopicResultCollection topics =
                    new CreateTopicsResponseData.CreatableTopicResultCollection();
            results.forEach(r -> topics.add(r.join()));
            return new CreateTopicsResponseData().setTopics(topics);
        });
    }

    private static TopicAdmin.NewTopic toNewTopic(CreatableTopic topic) {
        Map<Integer, List<Integer>> assignment = new TreeMap<>();
        topic.assignments().forEach(a -> assignment.put(a.partitionIndex(), List.copyOf(a.brokerIds())));
        Map<String, String> configs = new LinkedHashMap<>();
        topic.configs().forEach(c -> configs.put(c.name(), c.value()));
        return new TopicAdmin.NewTopic(topic.name(), topic.numPartitions(), topic.replicationFactor(), assignment,
                configs);
    }

    private static CreatableTopicResult error(String name, ApiError error) {
        return new CreatableTopicResult().setName(name).setErrorCode(error.error().code())
                .setErrorMessage(error.message()).setNumPartitions(-1).setReplicationFactor((short) -1);
    }

    private CreatableTopicResult success(TopicAdmin.CreatedTopic created, short version) {
        CreatableTopicResult result = new CreatableTopicResult().setName(created.name()).setTopicId(created.topicId())
                .setErrorCode(Errors.NONE.code()).setNumPartitions(created.numPartitions())
                .setReplicationFactor(created.replicationFactor());
        if (version >= 5) {
            try {
                result.setConfigs(describeConfigs(created.configs()));
            } catch (RuntimeException e) {
                ApiError error = AdminErrors.toApiError(e, "configs of " + created.name());
                result.setTopicConfigErrorCode(error.error().code());
            }
        }
        return result;
    }

    /** Every topic config with its effective value and source, as Kafka returns them from v5. */
    private List<CreatableTopicConfigs> describeConfigs(Map<String, String> overrides) {
        Map<Integer, Map<String, String>> brokerOverrides = cache.image().brokerConfigOverrides();
        Map<String, String> dynamicDefault = brokerOverrides.getOrDefault(-1, Map.of());
        Map<String, String> dynamicBroker = brokerOverrides.getOrDefault(config.brokerId(), Map.of());
        Map<String, Object> values = TopicConfigs.resolve(config,
                TopicConfigs.dynamicBrokerConfigs(brokerOverrides, config.brokerId()), overrides);
        List<CreatableTopicConfigs> configs = new ArrayList<>();
        for (String name : TopicConfigs.names()) {
            ConfigDef.ConfigKey key = TopicConfigs.configKey(name).orElseThrow();
            Object value = values.get(name);
            ConfigSource source = ConfigSource.DEFAULT_CONFIG;
            if (overrides.containsKey(name)) {
                source = ConfigSource.TOPIC_CONFIG;
            } else {
                for (TopicConfigs.BrokerSynonym synonym : TopicConfigs.brokerSynonyms(name)) {
                    if (dynamicBroker.containsKey(synonym.name())) {
                        source = ConfigSource.DYNAMIC_BROKER_CONFIG;
                    } else if (dynamicDefault.containsKey(synonym.name())) {
                        source = ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
                    } else if (config.staticValue(synonym.name()) != null) {
                        source = ConfigSource.STATIC_BROKER_CONFIG;
                    } else {
                        continue;
                    }
                    break;
                }
            }
            configs.add(new CreatableTopicConfigs().setName(name)
                    .setValue(value == null ? null : ConfigDef.convertToString(value, key.type))
                    .setReadOnly(false).setConfigSource(source.id()).setIsSensitive(false));
        }
        return configs;
    }
}
