package io.sluice.server.api;

import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.FetchIsolation;
import io.sluice.server.partition.Partition;
import io.sluice.server.partition.ReplicaManager;
import io.sluice.storage.TimestampAndOffset;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * ListOffsets v1-11, as Kafka's {@code KafkaApis.handleListOffsetRequest} with no tiered storage:
 * EARLIEST (-2) and EARLIEST_LOCAL (-4) are the log start offset, LATEST (-1) the high watermark (the last
 * stable offset for read_committed, the log end for replicas), MAX_TIMESTAMP (-3, v7+) the record with
 * the largest timestamp, LATEST_TIERED (-5) and EARLIEST_PENDING_UPLOAD (-6) offset -1 with epoch -1; a
 * timestamp finds the first record at or after it, or offset -1 / timestamp -1 when there is none.
 * Special timestamps older than their version are UNSUPPORTED_VERSION, duplicate partitions
 * INVALID_REQUEST, unknown ones UNKNOWN_TOPIC_OR_PARTITION.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {

    private static final Logger log = LoggerFactory.getLogger(ListOffsetsHandler.class);

    /** The version from which Kafka accepts each special timestamp. */
    private static final Map<Long, Integer> MIN_VERSION = Map.of(
            ListOffsetsRequest.EARLIEST_TIMESTAMP, 1,
            ListOffsetsRequest.LATEST_TIMESTAMP, 1,
            ListOffsetsRequest.MAX_TIMESTAMP, 7,
            ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP, 8,
            ListOffsetsRequest.LATEST_TIERED_TIMESTAMP, 9,
            ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP, 11);

    private final MetadataCache metadata;
    private final ReplicaManager replicaManager;

    public ListOffsetsHandler(MetadataCache metadata, ReplicaManager replicaManager) {
        this.metadata = metadata;
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 11;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListOffsetsRequest request) {
        short version = context.apiVersion();
        MetadataImage image = metadata.image();
        Set<TopicPartition> duplicates = request.duplicatePartitions();
        // Consumers see committed data only; replicas and the debug id see up to the log end.
        FetchIsolation isolation = request.replicaId() == ListOffsetsRequest.CONSUMER_REPLICA_ID
                ? FetchIsolation.of(-1, IsolationLevels.of(request.data().isolationLevel())) : null;
        return replicaManager.onIoThread(() -> {
            ListOffsetsResponseData response = new ListOffsetsResponseData();
            for (ListOffsetsTopic topic : request.topics()) {
                ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
                for (ListOffsetsPartition partition : topic.partitions()) {
                    TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                    topicResponse.partitions().add(answer(version, image, tp, partition, duplicates, isolation));
                }
                response.topics().add(topicResponse);
            }
            return response;
        });
    }

    private ListOffsetsPartitionResponse answer(short version, MetadataImage image, TopicPartition tp,
                                                ListOffsetsPartition partition, Set<TopicPartition> duplicates,
                                                FetchIsolation isolation) {
        ListOffsetsPartitionResponse response = new ListOffsetsPartitionResponse()
                .setPartitionIndex(tp.partition()).setTimestamp(-1L).setOffset(-1L);
        long timestamp = partition.timestamp();
        if (duplicates.contains(tp)) {
            return response.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        if (timestamp < 0 && (!MIN_VERSION.containsKey(timestamp) || version < MIN_VERSION.get(timestamp))) {
            return response.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        }
        if (image.partition(tp).isEmpty()) {
            return response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Optional<Integer> currentLeaderEpoch = partition.currentLeaderEpoch() < 0
                ? Optional.empty() : Optional.of(partition.currentLeaderEpoch());
        try {
            Partition leader = replicaManager.leaderPartitionOrThrow(tp, currentLeaderEpoch);
            Optional<TimestampAndOffset> found = leader.fetchOffsetForTimestamp(timestamp, isolation, currentLeaderEpoch);
            found.ifPresent(f -> {
                response.setTimestamp(f.timestamp()).setOffset(f.offset());
                if (version >= 4) {
                    // The field exists from v4 (KIP-320); older versions cannot carry it.
                    response.setLeaderEpoch(f.leaderEpoch().orElse(-1));
                }
            });
            return response.setErrorCode(Errors.NONE.code());
        } catch (ApiException e) {
            return response.setErrorCode(Errors.forException(e).code());
        } catch (RuntimeException e) {
            log.error("Error listing offsets of {} for timestamp {}", tp, timestamp, e);
            return response.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
        }
    }
}
