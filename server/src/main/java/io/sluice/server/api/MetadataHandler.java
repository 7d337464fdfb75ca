package io.sluice.server.api;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.metadata.Listener;
import io.sluice.server.controller.TopicAdmin;
import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import io.sluice.server.metadata.TopicMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Metadata (v0-13), answered from the metadata image as Kafka's {@code KafkaApis.handleTopicMetadataRequest}:
 * the live brokers that have the listener the request came in on, cluster and controller ids, and the
 * requested topics (all when topics is null, or empty at v0). Unknown topics are auto-created when both
 * the request and {@code auto.create.topics.enable} allow it; the answer waits up to
 * {@value #AUTO_CREATE_WAIT_MS} ms for their leaders and says LEADER_NOT_AVAILABLE if they have none by then;
 * internal names ({@code __...}) are never auto-created here. Topic ids are looked up from v12.
 */
public final class MetadataHandler implements ApiHandler<MetadataRequest> {

    private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);

    private final MetadataCache cache;
    private final TopicAdmin topicAdmin;
    private final BrokerConfig config;

    public MetadataHandler(MetadataCache cache, TopicAdmin topicAdmin, BrokerConfig config) {
        this.cache = cache;
        this.topicAdmin = topicAdmin;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, MetadataRequest request) {
        short version = context.apiVersion();
        MetadataRequestData data = request.data();
        if (!request.isAllTopics()) {
            for (MetadataRequestData.MetadataRequestTopic topic : data.topics()) {
                if (topic.name() == null && version < 12) {
                    throw new InvalidRequestException("Topic name can not be null for version " + version);
                }
                if (!Uuid.ZERO_UUID.equals(topic.topicId()) && version < 12) {
                    throw new InvalidRequestException("Topic IDs are not supported in requests for version " + version);
                }
                if (topic.name() == null && Uuid.ZERO_UUID.equals(topic.topicId())) {
                    // found by BrokerFuzzTest: an entry naming nothing would be looked up as a null name
                    throw new InvalidRequestException("A topic needs a name or a topic id");
                }
            }
        }
        MetadataImage image = cache.image();
        MetadataResponseData.MetadataResponseTopicCollection topics = new MetadataResponseData.MetadataResponseTopicCollection();
        Collection<String> names;
        if (request.isAllTopics()) {
            names = image.topics().keySet();
        } else {
            Set<Uuid> ids = new LinkedHashSet<>();
            request.topicIds().stream().filter(id -> id != null && !Uuid.ZERO_UUID.equals(id)).forEach(ids::add);
            if (!ids.isEmpty()) {
                names = new LinkedHashSet<>();
                for (Uuid id : ids) {
                    Optional<TopicMetadata> topic = image.topic(id);
                    if (topic.isPresent()) {
                        names.add(topic.get().name());
                    } else {
                        topics.add(new MetadataResponseTopic().setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                                .setName(null).setTopicId(id).setIsInternal(false));
                    }
                }
            } else {
                names = new LinkedHashSet<>(request.topics());
            }
        }
        boolean autoCreate = data.allowAutoTopicCreation() && config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE);
        Set<String> creating = new LinkedHashSet<>();
        MetadataResponseData response = respond(request, context, image, names, topics.duplicate(), autoCreate, creating);
        if (creating.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        // Kafka answers LEADER_NOT_AVAILABLE at once and the client asks again after its backoff (a full
        // second for librdkafka). The topic usually has a leader a few milliseconds later, so wait for
        // that, briefly, and answer with it: a response Kafka itself gives once the topic exists.
        return cache.await(next -> creating.stream().allMatch(name -> hasLeaders(next, name)), AUTO_CREATE_WAIT_MS)
                .handle((next, timeout) -> next == null ? response
                        : respond(request, context, next, names, topics.duplicate(), false, creating));
    }

    /** How long a Metadata request waits for the topics it auto-created to have leaders. */
    static final long AUTO_CREATE_WAIT_MS = 500;

    private static boolean hasLeaders(MetadataImage image, String name) {
        TopicMetadata topic = image.topics().get(name);
        return topic != null && !topic.partitions().isEmpty()
                && topic.partitions().values().stream().allMatch(p -> p.leader() >= 0);
    }

    /**
     * The response for {@code image}. Unknown topics are auto-created when {@code autoCreate}, and their
     * names added to {@code creating}; a name already in {@code creating} that the image does not show yet
     * is answered LEADER_NOT_AVAILABLE.
     */
    private MetadataResponseData respond(MetadataRequest request, RequestContext context, MetadataImage image,
                                         Collection<String> names,
                                         MetadataResponseData.MetadataResponseTopicCollection topics,
                                         boolean autoCreate, Set<String> creating) {
        MetadataRequestData data = request.data();
        short version = context.apiVersion();
        String listener = context.listenerName();
        for (String name : names) {
            TopicMetadata topic = image.topics().get(name);
            MetadataResponseTopic response;
            if (topic != null) {
                response = describe(topic, image, listener, version);
            } else if (creating.contains(name)) {
                response = new MetadataResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                        .setIsInternal(false).setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
            } else {
                response = unknownTopic(name, autoCreate);
                if (response.errorCode() == Errors.LEADER_NOT_AVAILABLE.code()) {
                    creating.add(name);
                }
            }
            if (data.includeTopicAuthorizedOperations()) {
                response.setTopicAuthorizedOperations(AdminErrors.ALL_TOPIC_OPERATIONS);
            }
            topics.add(response);
        }
        MetadataResponseData.MetadataResponseBrokerCollection brokers = new MetadataResponseData.MetadataResponseBrokerCollection();
        for (BrokerRegistration broker : image.brokers().values()) {
            broker.endpoint(listener).ifPresent(endpoint -> brokers.add(new MetadataResponseBroker()
                    .setNodeId(broker.id()).setHost(endpoint.host()).setPort(endpoint.port()).setRack(broker.rack())));
        }
        MetadataResponseData response = new MetadataResponseData()
                .setBrokers(brokers)
                .setClusterId(image.clusterId().isEmpty() ? null : image.clusterId())
                .setControllerId(image.controllerId())
                .setTopics(topics);
        if (data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AdminErrors.ALL_CLUSTER_OPERATIONS);
        }
        return response;
    }

    private MetadataResponseTopic unknownTopic(String name, boolean autoCreate) {
        MetadataResponseTopic response = new MetadataResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                .setIsInternal(Topic.isInternal(name));
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return response.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        if (!autoCreate || name.startsWith("__")) {
            return response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        // Kafka's AutoTopicCreationManager: create with the broker defaults, answer LEADER_NOT_AVAILABLE now
        topicAdmin.createTopic(TopicAdmin.NewTopic.of(name, -1, (short) -1), false, 0).whenComplete((created, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause != null && !(cause instanceof TopicExistsException)) {
                log.info("Auto-creation of topic {} failed: {}", name, cause.toString());
            } else if (cause == null) {
                log.info("Auto-created topic {} with topic id {}", name, created.topicId());
            }
        });
        return response.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
    }

    private static MetadataResponseTopic describe(TopicMetadata topic, MetadataImage image, String listener,
                                                  short version) {
        List<MetadataResponsePartition> partitions = new ArrayList<>(topic.partitions().size());
        for (PartitionState p : topic.partitions().values()) {
            partitions.add(describe(p, image, listener, version));
        }
        return new MetadataResponseTopic().setErrorCode(Errors.NONE.code()).setName(topic.name())
                .setTopicId(topic.topicId()).setIsInternal(Topic.isInternal(topic.name())).setPartitions(partitions);
    }

    /** As KRaftMetadataCache.partitionMetadata: v0 lists only available replicas, v6+ reports LISTENER_NOT_FOUND. */
    private static MetadataResponsePartition describe(PartitionState p, MetadataImage image, String listener,
                                                      short version) {
        boolean errorUnavailableEndpoints = version == 0;
        boolean errorUnavailableListeners = version >= 6;
        List<Integer> replicas = errorUnavailableEndpoints ? available(p.replicas(), image, listener) : p.replicas();
        List<Integer> isr = errorUnavailableEndpoints ? available(p.isr(), image, listener) : p.isr();
        List<Integer> offline = p.replicas().stream().filter(id -> !image.brokers().containsKey(id)).toList();
        MetadataResponsePartition response = new MetadataResponsePartition().setPartitionIndex(p.partition())
                .setLeaderEpoch(p.leaderEpoch()).setReplicaNodes(replicas).setIsrNodes(isr).setOfflineReplicas(offline);
        BrokerRegistration leader = p.leader() < 0 ? null : image.brokers().get(p.leader());
        Optional<Listener> endpoint = leader == null ? Optional.empty() : leader.endpoint(listener);
        if (endpoint.isEmpty()) {
            Errors error = leader != null && errorUnavailableListeners ? Errors.LISTENER_NOT_FOUND : Errors.LEADER_NOT_AVAILABLE;
            return response.setErrorCode(error.code()).setLeaderId(-1);
        }
        Errors error = replicas.size() < p.replicas().size() || isr.size() < p.isr().size()
                ? Errors.REPLICA_NOT_AVAILABLE : Errors.NONE;
        return response.setErrorCode(error.code()).setLeaderId(p.leader());
    }

    private static List<Integer> available(List<Integer> ids, MetadataImage image, String listener) {
        return ids.stream().filter(id -> {
            BrokerRegistration b = image.brokers().get(id);
            return b != null && b.endpoint(listener).isPresent();
        }).toList();
    }
}
