package io.sluice.server.replication;

import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.IsrChange;
import io.sluice.server.metadata.IsrChangeResult;
import io.sluice.server.metadata.Listener;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.partition.IsrChangeSender;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionRequest;
import org.apache.kafka.common.requests.AlterPartitionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends the leaders' ISR changes to the active controller with AlterPartition v3, as Kafka's
 * {@code AlterPartitionManager}: the changes waiting when a request can go are sent together, one request at a time;
 * the controller's per-partition answers complete their futures. A request that fails as a whole (no controller
 * yet, the controller moved, a lost connection, our broker epoch not registered yet) is sent again after
 * {@code replica.fetch.backoff.ms}-like pauses, so a change is answered once a controller is reachable.
 *
 * <p>Thread-safe: {@link #submit} from any thread; one sender thread does the I/O.
 */
public final class AlterPartitionClient implements IsrChangeSender, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlterPartitionClient.class);
    static final short VERSION = 3;
    private static final long RETRY_MS = 200;

    private record Pending(IsrChange change, CompletableFuture<IsrChangeResult> future) {
    }

    private final int localBrokerId;
    private final String listenerName;
    private final Supplier<MetadataImage> metadata;
    private final InterBrokerConnection connection;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    public AlterPartitionClient(int localBrokerId, String listenerName, int socketTimeoutMs,
                                Supplier<MetadataImage> metadata) {
        this.localBrokerId = localBrokerId;
        this.listenerName = listenerName;
        this.metadata = metadata;
        this.connection = new InterBrokerConnection("broker-" + localBrokerId + "-alter-partition", socketTimeoutMs);
        this.thread = new Thread(this::run, "sluice-alter-partition-" + localBrokerId);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public CompletableFuture<IsrChangeResult> submit(IsrChange change) {
        CompletableFuture<IsrChangeResult> future = new CompletableFuture<>();
        queue.add(new Pending(change, future));
        return future;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (running) {
            try {
                if (batch.isEmpty()) {
                    Pending first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                queue.drainTo(batch);
                if (send(batch)) {
                    batch.clear();
                } else {
                    Thread.sleep(RETRY_MS);
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                log.error("AlterPartition failed; retrying", e);
            }
        }
        for (Pending p : batch) {
            p.future.completeExceptionally(new IllegalStateException("broker is shutting down"));
        }
    }

    /** Sends {@code batch} in one request; false when it must be sent again. */
    private boolean send(List<Pending> batch) {
        MetadataImage image = metadata.get();
        BrokerRegistration controller = image.brokers().get(image.controllerId());
        BrokerRegistration self = image.brokers().get(localBrokerId);
        Optional<Listener> endpoint = controller == null ? Optional.empty() : controller.endpoint(listenerName);
        if (endpoint.isEmpty() || self == null) {
            return false;
        }
        AlterPartitionRequestData data = new AlterPartitionRequestData().setBrokerId(localBrokerId)
                .setBrokerEpoch(self.epoch());
        Map<Uuid, AlterPartitionRequestData.TopicData> topics = new LinkedHashMap<>();
        Map<TopicPartition, Pending> byPartition = new LinkedHashMap<>();
        for (Pending p : batch) {
            // a newer change of the same partition supersedes an older one: only the newest is sent
            byPartition.put(p.change.topicPartition(), p);
        }
        for (Pending p : byPartition.values()) {
            IsrChange change = p.change;
            AlterPartitionRequestData.PartitionData partition = new AlterPartitionRequestData.PartitionData()
                    .setPartitionIndex(change.topicPartition().partition())
                    .setLeaderEpoch(change.leaderEpoch())
                    .setPartitionEpoch(change.partitionEpoch());
            for (int member : change.newIsr()) {
                partition.newIsrWithEpochs().add(new AlterPartitionRequestData.BrokerState().setBrokerId(member)
                        .setBrokerEpoch(change.brokerEpochs().getOrDefault(member, -1L)));
            }
            topics.computeIfAbsent(change.topicId(), id -> new AlterPartitionRequestData.TopicData().setTopicId(id))
                    .partitions().add(partition);
        }
        data.topics().addAll(topics.values());
        AlterPartitionResponse response;
        try {
            response = connection.send(endpoint.get().host(), endpoint.get().port(),
                    new AlterPartitionRequest.Builder(data).build(VERSION), AlterPartitionResponse.class);
        } catch (IOException e) {
            log.info("AlterPartition to controller {} failed: {}; retrying", image.controllerId(), e.toString());
            return false;
        }
        Errors error = Errors.forCode(response.data().errorCode());
        if (error != Errors.NONE) {
            log.info("Controller {} answered AlterPartition with {}; retrying", image.controllerId(), error);
            return false;
        }
        Map<Uuid, String> names = image.topicNamesById();
        for (AlterPartitionResponseData.TopicData topic : response.data().topics()) {
            String name = names.get(topic.topicId());
            for (AlterPartitionResponseData.PartitionData p : topic.partitions()) {
                Pending pending = byPartition.remove(new TopicPartition(name, p.partitionIndex()));
                if (pending != null) {
                    pending.future.complete(new IsrChangeResult(Errors.forCode(p.errorCode()), p.leaderId(),
                            p.leaderEpoch(), List.copyOf(p.isr()), p.partitionEpoch()));
                }
            }
        }
        // an answer that left a partition out (its topic is gone): nothing will commit it
        for (Pending p : byPartition.values()) {
            p.future.complete(IsrChangeResult.failed(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        for (Pending p : batch) {
            p.future.complete(IsrChangeResult.failed(Errors.OPERATION_NOT_ATTEMPTED));
        }
        return true;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt(); // it only waits on its queue or sleeps between retries, never writes a log
        InterBrokerConnection.stopOwner(thread, connection);
    }
}
