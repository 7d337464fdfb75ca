package io.sluice.server.api;

import io.sluice.server.fetch.FetchContext;
import io.sluice.server.fetch.FetchManager;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.FetchIsolation;
import io.sluice.server.partition.FetchParams;
import io.sluice.server.partition.FetchPartition;
import io.sluice.server.partition.LogReadResult;
import io.sluice.server.partition.ReplicaManager;
import io.sluice.storage.FetchDataInfo;
import io.sluice.wire.FileRegionRecords;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Fetch v4-18 (topic ids from v13), as Kafka's {@code KafkaApis.handleFetchRequest}: the request's fetch
 * session (KIP-227) decides which partitions are read and which are answered; an unknown topic id is
 * UNKNOWN_TOPIC_ID, an unknown partition UNKNOWN_TOPIC_OR_PARTITION; the rest is read by the
 * {@link ReplicaManager}, which waits for {@code min_bytes} up to {@code max_wait_ms}. Records go out as
 * file regions (sendfile). Consumers read up to the high watermark (read_uncommitted) or the last stable
 * offset (read_committed); followers up to the log end.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    private final MetadataCache metadata;
    private final ReplicaManager replicaManager;
    private final FetchManager fetchManager;

    public FetchHandler(MetadataCache metadata, ReplicaManager replicaManager, FetchManager fetchManager) {
        this.metadata = metadata;
        this.replicaManager = replicaManager;
        this.fetchManager = fetchManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public short minVersion() {
        return 4;
    }

    @Override
    public short maxVersion() {
        return 18;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, FetchRequest request) {
        short version = context.apiVersion();
        MetadataImage image = metadata.image();
        Map<org.apache.kafka.common.Uuid, String> topicNames = image.topicNamesById();
        FetchContext fetchContext = fetchManager.newContext(request.metadata(), version >= 13,
                request.isFromFollower(), request.fetchData(topicNames), request.forgottenTopics(topicNames), topicNames);

        Map<TopicIdPartition, FetchRequest.PartitionData> partitions = fetchContext.partitions();
        Map<TopicIdPartition, Errors> erroneous = new LinkedHashMap<>();
        List<FetchPartition> toRead = new ArrayList<>();
        partitions.forEach((tp, data) -> {
            if (tp.topic() == null) {
                erroneous.put(tp, Errors.UNKNOWN_TOPIC_ID);
            } else if (image.partition(tp.topicPartition()).isEmpty()) {
                erroneous.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            } else {
                toRead.add(new FetchPartition(tp, data.fetchOffset, data.maxBytes, data.currentLeaderEpoch,
                        data.lastFetchedEpoch));
            }
        });

        IsolationLevel isolationLevel = IsolationLevels.of(request.data().isolationLevel());
        FetchParams params = new FetchParams(request.replicaId(), request.replicaEpoch(), request.maxWait(),
                request.minBytes(),
                request.maxBytes(), FetchIsolation.of(request.replicaId(), isolationLevel));
        return replicaManager.fetchMessages(params, toRead).thenApply(reads -> {
            LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> data = new LinkedHashMap<>();
            Map<Integer, Node> leaders = new LinkedHashMap<>();
            for (TopicIdPartition tp : partitions.keySet()) {
                Errors error = erroneous.get(tp);
                FetchResponseData.PartitionData partition = error != null
                        ? FetchResponse.partitionResponse(tp, error)
                        : partitionData(tp, reads.get(tp), isolationLevel);
                if (version >= 16) {
                    addLeaderHint(image, context, tp, partition, leaders);
                }
                data.put(tp, partition);
            }
            FetchContext.Response response = fetchContext.updateAndGenerateResponseData(data);
            List<Node> nodeEndpoints = version >= 16 ? new ArrayList<>(leaders.values()) : List.of();
            return FetchResponse.of(response.error(), 0, response.sessionId(), response.data(), nodeEndpoints).data();
        });
    }

    private static FetchResponseData.PartitionData partitionData(TopicIdPartition tp, LogReadResult read,
                                                                 IsolationLevel isolationLevel) {
        if (read.error() != null) {
            return FetchResponse.partitionResponse(tp, Errors.forException(read.error()));
        }
        FetchDataInfo info = read.info();
        FetchResponseData.PartitionData partition = new FetchResponseData.PartitionData()
                .setPartitionIndex(tp.partition())
                .setErrorCode(Errors.NONE.code())
                .setHighWatermark(read.highWatermark())
                .setLastStableOffset(read.lastStableOffset())
                .setLogStartOffset(read.logStartOffset())
                // read_committed: the aborted transactions in range (none until transactions exist).
                .setAbortedTransactions(isolationLevel == IsolationLevel.READ_COMMITTED ? new ArrayList<>() : null)
                .setRecords(info.isEmpty() ? MemoryRecords.EMPTY
                        : new FileRegionRecords(info.file(), info.channel(), info.position(), info.sizeInBytes()));
        if (read.divergingEpoch() != null) {
            partition.setDivergingEpoch(new FetchResponseData.EpochEndOffset()
                    .setEpoch(read.divergingEpoch().leaderEpoch()).setEndOffset(read.divergingEpoch().endOffset()));
        }
        return partition;
    }

    /** KIP-951: NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH carry the current leader and its endpoint. */
    private static void addLeaderHint(MetadataImage image, RequestContext context, TopicIdPartition tp,
                                      FetchResponseData.PartitionData partition, Map<Integer, Node> leaders) {
        if (partition.errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code()
                && partition.errorCode() != Errors.FENCED_LEADER_EPOCH.code()) {
            return;
        }
        LeaderHints.state(image, tp.topicPartition()).ifPresent(state -> {
            partition.setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch()
                    .setLeaderId(state.leader()).setLeaderEpoch(state.leaderEpoch()));
            LeaderHints.leaderNode(image, state, context.listenerName()).ifPresent(node -> leaders.put(node.id(), node));
        });
    }
}
