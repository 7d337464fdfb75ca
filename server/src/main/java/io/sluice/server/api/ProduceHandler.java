package io.sluice.server.api;

import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.server.partition.ProducePartitionResult;
import io.sluice.server.partition.ReplicaManager;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Produce v3-13 (v0-2 are advertised for librdkafka but close the connection, KAFKA-18659), as Kafka's
 * {@code KafkaApis.handleProduceRequest}: per partition, an unknown topic id (v13) is UNKNOWN_TOPIC_ID, an
 * unknown partition UNKNOWN_TOPIC_OR_PARTITION, records that are not exactly one magic-2 batch
 * INVALID_RECORD, acks outside {-1, 0, 1} INVALID_REQUIRED_ACKS; the rest is appended by the
 * {@link ReplicaManager}, whose errors (NOT_LEADER_OR_FOLLOWER, MESSAGE_TOO_LARGE, CORRUPT_MESSAGE,
 * INVALID_TIMESTAMP, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, ...) map by
 * {@code Errors.forException}.
 *
 * <p>Transactional batches are refused with INVALID_TXN_STATE until the transaction coordinator exists:
 * Kafka answers that for a transactional write to a partition that is not part of an ongoing
 * transaction, which is the case for every partition here.
 *
 * <p>acks=0 sends no response; if any partition failed the connection is closed instead, as Kafka does,
 * so the producer notices and refreshes its metadata.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequest> {

    /** Kafka lets only its admin client write to internal topics through Produce. */
    private static final String ADMIN_CLIENT_ID = "__admin_client";

    private final MetadataCache metadata;
    private final ReplicaManager replicaManager;

    public ProduceHandler(MetadataCache metadata, ReplicaManager replicaManager) {
        this.metadata = metadata;
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 3;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    /**
     * One partition of the request, in request order: where its answer goes and, until answered, what to append.
     * A list, not a map keyed by it: hashing a record's five components per partition showed in profiles.
     */
    private record Slot(ProduceRequestData.TopicProduceData topic, Uuid topicId, int partition, TopicPartition tp,
                        ApiException error) {
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ProduceRequest request) {
        short version = context.apiVersion();
        short acks = request.acks();
        boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        MetadataImage image = metadata.image();
        List<Slot> slots = new ArrayList<>();
        Map<TopicPartition, Integer> slotIndex = new HashMap<>();
        Map<TopicPartition, MemoryRecords> toAppend = new LinkedHashMap<>();
        for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
            String name = version >= 13 ? image.topicNamesById().get(topic.topicId()) : topic.name();
            Uuid topicId = version >= 13 ? topic.topicId()
                    : image.topic(name).map(TopicMetadata::topicId).orElse(Uuid.ZERO_UUID);
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                TopicPartition tp = name == null ? null : new TopicPartition(name, partition.index());
                ApiException error = validate(version, image, tp, topic, partition, validAcks);
                Slot slot = new Slot(topic, topicId, partition.index(), tp, error);
                // a partition named twice is appended and answered once, the later entry winning, as Kafka's map
                Integer seen = tp == null ? null : slotIndex.putIfAbsent(tp, slots.size());
                if (seen == null) {
                    slots.add(slot);
                } else {
                    slots.set(seen, slot);
                }
                if (error == null) {
                    toAppend.put(tp, (MemoryRecords) partition.records());
                } else if (tp != null) {
                    toAppend.remove(tp);
                }
            }
        }
        CompletableFuture<Map<TopicPartition, ProducePartitionResult>> appended = toAppend.isEmpty()
                ? CompletableFuture.completedFuture(Map.of())
                : replicaManager.appendRecords(acks, request.timeout(), toAppend, ADMIN_CLIENT_ID.equals(context.clientId()));
        return appended.thenApply(results -> {
            ProduceResponseData response = response(version, context, image, slots, results);
            if (acks != 0) {
                return response;
            }
            boolean anyError = response.responses().stream().flatMap(t -> t.partitionResponses().stream())
                    .anyMatch(p -> p.errorCode() != Errors.NONE.code());
            if (anyError) {
                throw new CloseConnectionException("acks=0 produce failed on some partition");
            }
            return null;
        });
    }

    private static ApiException validate(short version, MetadataImage image, TopicPartition tp,
                                         ProduceRequestData.TopicProduceData topic,
                                         ProduceRequestData.PartitionProduceData partition, boolean validAcks) {
        if (tp == null) {
            return new UnknownTopicIdException("unknown topic id " + topic.topicId());
        }
        if (image.partition(tp).isEmpty()) {
            return new UnknownTopicOrPartitionException("unknown partition " + tp);
        }
        if (!(partition.records() instanceof MemoryRecords records)) {
            return new InvalidRecordException("Produce requests must have at least one record batch per partition");
        }
        try {
            ProduceRequest.validateRecords(version, records);
        } catch (ApiException e) {
            return e;
        } catch (RuntimeException e) {
            // kafka-clients reads the batch attributes with IllegalArgumentException for an unknown codec id; Kafka
            // 4.3 lets it escape as UNKNOWN_SERVER_ERROR
            return new InvalidRecordException("Record batch in " + tp + " cannot be read: " + e.getMessage());
        }
        for (RecordBatch batch : records.batches()) {
            if (batch.isTransactional()) {
                return new InvalidTxnStateException("transactions are not supported yet: " + tp
                        + " is not part of an ongoing transaction");
            }
        }
        if (!validAcks) {
            return new InvalidRequiredAcksException("acks must be -1, 0 or 1");
        }
        return null;
    }

    private static ProduceResponseData response(short version, RequestContext context, MetadataImage image,
                                                List<Slot> slots,
                                                Map<TopicPartition, ProducePartitionResult> results) {
        ProduceResponseData response = new ProduceResponseData();
        Map<Integer, Node> leaders = new LinkedHashMap<>();
        // by identity: the generated data classes hash every field, records included
        Map<ProduceRequestData.TopicProduceData, ProduceResponseData.TopicProduceResponse> topics = new IdentityHashMap<>();
        for (Slot slot : slots) {
            ProduceResponseData.TopicProduceResponse topic = topics.computeIfAbsent(slot.topic(), t -> {
                ProduceResponseData.TopicProduceResponse created = new ProduceResponseData.TopicProduceResponse()
                        .setName(t.name()).setTopicId(t.topicId());
                response.responses().add(created);
                return created;
            });
            ProducePartitionResult result = slot.error() != null ? ProducePartitionResult.error(slot.error())
                    : results.get(slot.tp());
            Errors error = result.error() == null ? Errors.NONE : Errors.forException(result.error());
            ProduceResponseData.PartitionProduceResponse partition = new ProduceResponseData.PartitionProduceResponse()
                    .setIndex(slot.partition())
                    .setErrorCode(error.code())
                    .setBaseOffset(result.baseOffset())
                    .setLogAppendTimeMs(result.logAppendTime())
                    .setLogStartOffset(result.logStartOffset());
            if (slot.error() == null && (result.error() instanceof InvalidRecordException
                    || result.error() instanceof InvalidTimestampException)) {
                // As Kafka: the validator's message reaches the client for record validation errors.
                partition.setErrorMessage(result.error().getMessage());
            }
            if (version >= 10 && error == Errors.NOT_LEADER_OR_FOLLOWER && slot.tp() != null) {
                LeaderHints.state(image, slot.tp()).ifPresent(state -> {
                    partition.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch()
                            .setLeaderId(state.leader()).setLeaderEpoch(state.leaderEpoch()));
                    LeaderHints.leaderNode(image, state, context.listenerName())
                            .ifPresent(node -> leaders.put(node.id(), node));
                });
            }
            topic.partitionResponses().add(partition);
        }
        leaders.values().forEach(node -> response.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack())));
        return response;
    }
}
