package io.sluice.server.api;

import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.Partition;
import io.sluice.server.partition.ReplicaManager;
import io.sluice.storage.EpochEndOffset;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetForLeaderEpoch (KIP-101, KIP-320), as Kafka's {@code Partition.lastOffsetForLeaderEpoch}: per partition the
 * largest epoch of the leader's log not above the requested one and the offset where it ended (the log end offset
 * for the current epoch); epoch and end offset -1 when the epoch is unknown. Consumers send it after a leader change
 * to detect truncation; followers to find where to truncate. The client's {@code current_leader_epoch} is checked
 * (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH); only the debugging replica id (-2) may ask a follower, as Kafka.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {

    private static final Logger log = LoggerFactory.getLogger(OffsetForLeaderEpochHandler.class);

    private final MetadataCache metadata;
    private final ReplicaManager replicaManager;

    public OffsetForLeaderEpochHandler(MetadataCache metadata, ReplicaManager replicaManager) {
        this.metadata = metadata;
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        MetadataImage image = metadata.image();
        boolean fetchOnlyFromLeader = request.data().replicaId() != ListOffsetsRequest.DEBUGGING_REPLICA_ID;
        return replicaManager.onIoThread(() -> {
            OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
            for (OffsetForLeaderTopic topic : request.data().topics()) {
                OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(topic.topic());
                for (OffsetForLeaderPartition p : topic.partitions()) {
                    result.partitions().add(endOffset(image, new TopicPartition(topic.topic(), p.partition()), p,
                            fetchOnlyFromLeader));
                }
                response.topics().add(result);
            }
            return response;
        });
    }

    private OffsetForLeaderEpochResponseData.EpochEndOffset endOffset(MetadataImage image, TopicPartition tp,
                                                                      OffsetForLeaderPartition request,
                                                                      boolean fetchOnlyFromLeader) {
        OffsetForLeaderEpochResponseData.EpochEndOffset response = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                .setPartition(tp.partition());
        try {
            Optional<Integer> currentLeaderEpoch = request.currentLeaderEpoch() < 0
                    ? Optional.empty() : Optional.of(request.currentLeaderEpoch());
            Partition partition;
            if (fetchOnlyFromLeader) {
                partition = replicaManager.leaderPartitionOrThrow(tp, currentLeaderEpoch);
            } else {
                partition = replicaManager.partition(tp).orElseThrow(() -> image.partition(tp).isPresent()
                        ? new NotLeaderOrFollowerException("broker does not host " + tp)
                        : new UnknownTopicOrPartitionException("unknown partition " + tp));
                partition.checkLeader(currentLeaderEpoch, false);
            }
            Optional<EpochEndOffset> found = partition.log().endOffsetForEpoch(request.leaderEpoch());
            found.ifPresent(f -> response.setLeaderEpoch(f.leaderEpoch()).setEndOffset(f.endOffset()));
            return response.setErrorCode(Errors.NONE.code());
        } catch (ApiException e) {
            return response.setErrorCode(Errors.forException(e).code());
        } catch (RuntimeException e) {
            log.error("Error answering OffsetForLeaderEpoch {} of {}", request.leaderEpoch(), tp, e);
            return response.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
        }
    }
}
