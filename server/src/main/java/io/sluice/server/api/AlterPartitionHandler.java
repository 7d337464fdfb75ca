package io.sluice.server.api;

import io.sluice.server.controller.Controller;
import io.sluice.server.metadata.IsrChange;
import io.sluice.server.metadata.IsrChangeResult;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * AlterPartition v2-3 (KIP-497, topic ids from v2, ISR members with broker epochs from v3): a leader asks the active
 * controller to commit a new ISR. Kafka 3.x brokers in ZooKeeper mode served it on their listeners for the same
 * purpose; Sluice does too, since its controller runs inside a broker. The checks and the ZooKeeper write are the
 * {@link Controller}'s; this handler maps topic ids and Kafka's errors. A broker that is not the active controller
 * answers NOT_CONTROLLER for the whole request.
 */
public final class AlterPartitionHandler implements ApiHandler<AlterPartitionRequest> {

    private final MetadataCache metadata;
    private final Supplier<Controller> controller;

    public AlterPartitionHandler(MetadataCache metadata, Supplier<Controller> controller) {
        this.metadata = metadata;
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, AlterPartitionRequest request) {
        AlterPartitionRequestData data = request.data();
        Controller active = controller.get();
        if (active == null) {
            return CompletableFuture.failedFuture(new NotControllerException("no controller runs on this broker yet"));
        }
        MetadataImage image = metadata.image();
        short version = context.apiVersion();
        AlterPartitionResponseData response = new AlterPartitionResponseData();
        Map<Uuid, AlterPartitionResponseData.TopicData> topics = new LinkedHashMap<>();
        List<IsrChange> changes = new ArrayList<>();
        List<AlterPartitionResponseData.PartitionData> answers = new ArrayList<>();
        for (AlterPartitionRequestData.TopicData topic : data.topics()) {
            AlterPartitionResponseData.TopicData topicAnswer = topics.computeIfAbsent(topic.topicId(),
                    id -> new AlterPartitionResponseData.TopicData().setTopicId(id));
            String name = image.topicNamesById().get(topic.topicId());
            for (AlterPartitionRequestData.PartitionData p : topic.partitions()) {
                AlterPartitionResponseData.PartitionData answer = new AlterPartitionResponseData.PartitionData()
                        .setPartitionIndex(p.partitionIndex());
                topicAnswer.partitions().add(answer);
                if (name == null) {
                    answer.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                    continue;
                }
                List<Integer> newIsr = new ArrayList<>();
                Map<Integer, Long> epochs = new HashMap<>();
                if (version >= 3) {
                    for (AlterPartitionRequestData.BrokerState member : p.newIsrWithEpochs()) {
                        newIsr.add(member.brokerId());
                        epochs.put(member.brokerId(), member.brokerEpoch());
                    }
                } else {
                    newIsr.addAll(p.newIsr());
                }
                changes.add(new IsrChange(new TopicPartition(name, p.partitionIndex()), topic.topicId(),
                        p.leaderEpoch(), p.partitionEpoch(), List.copyOf(newIsr), epochs));
                answers.add(answer);
            }
        }
        response.topics().addAll(topics.values());
        return active.alterPartition(data.brokerId(), data.brokerEpoch(), changes).thenApply(results -> {
            for (int i = 0; i < results.size(); i++) {
                IsrChangeResult result = results.get(i);
                AlterPartitionResponseData.PartitionData answer = answers.get(i).setErrorCode(result.error().code());
                if (result.error() == Errors.NONE) {
                    answer.setLeaderId(result.leader()).setLeaderEpoch(result.leaderEpoch())
                            .setIsr(new ArrayList<>(result.isr())).setPartitionEpoch(result.partitionEpoch());
                }
            }
            return response;
        });
    }
}
