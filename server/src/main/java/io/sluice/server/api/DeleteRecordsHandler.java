package io.sluice.server.api;

import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.ReplicaManager;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteRecords v0-2, as Kafka's {@code KafkaApis.handleDeleteRecordsRequest}: moves each partition's
 * log start offset to the given offset (-1 = the high watermark) and answers the new low watermark.
 * Beyond the high watermark is OFFSET_OUT_OF_RANGE, a compact-only topic POLICY_VIOLATION.
 *
 * <p>Kafka waits (DelayedDeleteRecords) until every replica's log start offset has moved; with the
 * single-node ISR the leader's is the low watermark at once.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {

    private static final Logger log = LoggerFactory.getLogger(DeleteRecordsHandler.class);

    private final MetadataCache metadata;
    private final ReplicaManager replicaManager;

    public DeleteRecordsHandler(MetadataCache metadata, ReplicaManager replicaManager) {
        this.metadata = metadata;
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteRecordsRequest request) {
        MetadataImage image = metadata.image();
        return replicaManager.onIoThread(() -> {
            DeleteRecordsResponseData response = new DeleteRecordsResponseData();
            for (DeleteRecordsTopic topic : request.data().topics()) {
                DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
                for (DeleteRecordsPartition partition : topic.partitions()) {
                    TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                    topicResult.partitions().add(delete(image, tp, partition.offset()));
                }
                response.topics().add(topicResult);
            }
            return response;
        });
    }

    private DeleteRecordsPartitionResult delete(MetadataImage image, TopicPartition tp, long offset) {
        DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                .setPartitionIndex(tp.partition()).setLowWatermark(-1L);
        if (image.partition(tp).isEmpty()) {
            return result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try {
            long lowWatermark = replicaManager.leaderPartitionOrThrow(tp, Optional.empty()).deleteRecordsOnLeader(offset);
            return result.setLowWatermark(lowWatermark).setErrorCode(Errors.NONE.code());
        } catch (ApiException e) {
            return result.setErrorCode(Errors.forException(e).code());
        } catch (RuntimeException e) {
            log.error("Error deleting records of {} before offset {}", tp, offset, e);
            return result.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
        }
    }
}
