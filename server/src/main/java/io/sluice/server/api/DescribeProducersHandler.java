package io.sluice.server.api;

import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.ReplicaManager;
import io.sluice.storage.ProducerStateEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeProducers v0, as Kafka's {@code ReplicaManager.activeProducerState}: the producer state the
 * leader of each partition holds. Unknown partitions are UNKNOWN_TOPIC_OR_PARTITION, ones not led here
 * NOT_LEADER_OR_FOLLOWER (with the exception's message, as Kafka).
 */
public final class DescribeProducersHandler implements ApiHandler<DescribeProducersRequest> {

    private static final Logger log = LoggerFactory.getLogger(DescribeProducersHandler.class);

    private final MetadataCache metadata;
    private final ReplicaManager replicaManager;

    public DescribeProducersHandler(MetadataCache metadata, ReplicaManager replicaManager) {
        this.metadata = metadata;
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeProducersRequest request) {
        MetadataImage image = metadata.image();
        return replicaManager.onIoThread(() -> {
            DescribeProducersResponseData response = new DescribeProducersResponseData();
            for (TopicRequest topic : request.data().topics()) {
                TopicResponse topicResponse = new TopicResponse().setName(topic.name());
                for (int index : topic.partitionIndexes()) {
                    topicResponse.partitions().add(describe(image, new TopicPartition(topic.name(), index)));
                }
                response.topics().add(topicResponse);
            }
            return response;
        });
    }

    private PartitionResponse describe(MetadataImage image, TopicPartition tp) {
        PartitionResponse response = new PartitionResponse().setPartitionIndex(tp.partition());
        if (image.partition(tp).isEmpty()) {
            return response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try {
            for (ProducerStateEntry entry : replicaManager.leaderPartitionOrThrow(tp, Optional.empty()).log().activeProducers()) {
                response.activeProducers().add(new ProducerState()
                        .setProducerId(entry.producerId())
                        .setProducerEpoch(entry.producerEpoch())
                        .setLastSequence(entry.lastSequence())
                        .setLastTimestamp(entry.lastTimestamp())
                        .setCoordinatorEpoch(entry.coordinatorEpoch())
                        .setCurrentTxnStartOffset(entry.currentTxnStartOffset()));
            }
            return response.setErrorCode(Errors.NONE.code());
        } catch (ApiException e) {
            return response.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
        } catch (RuntimeException e) {
            log.error("Error describing producers of {}", tp, e);
            return response.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
        }
    }
}
