package io.sluice.server.partition;

import io.sluice.server.api.DeleteRecordsHandler;
import io.sluice.server.api.DescribeProducersHandler;
import io.sluice.server.api.FetchHandler;
import io.sluice.server.api.ListOffsetsHandler;
import io.sluice.server.api.ProduceHandler;
import io.sluice.server.api.RequestContext;
import io.sluice.server.metadata.Listener;
import io.sluice.server.fetch.FetchManager;
import io.sluice.server.fetch.FetchSessionCache;
import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.storage.LogConfig;
import io.sluice.storage.LogManager;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker's data path without the network or ZooKeeper: a real {@link LogManager} on a temp dir, a
 * {@link ReplicaManager} following a metadata image the test sets, and the data-path handlers, called
 * directly with requests built by kafka-clients' builders.
 */
final class DataPathContext implements AutoCloseable {

    static final int BROKER_ID = 0;

    final SettableMetadataCache metadata = new SettableMetadataCache();
    final LogManager logManager;
    final ReplicaManager replicaManager;
    final FetchManager fetchManager = new FetchManager(Time.SYSTEM,
            new FetchSessionCache(FetchSessionCache.DEFAULT_MAX_ENTRIES, FetchSessionCache.DEFAULT_EVICTION_MS));
    final ProduceHandler produce;
    final FetchHandler fetch;
    final ListOffsetsHandler listOffsets;
    final DeleteRecordsHandler deleteRecords;
    final DescribeProducersHandler describeProducers;
    private final Map<String, TopicMetadata> topics = new HashMap<>();
    /** The config of every topic created from now on. */
    volatile LogConfig logConfig = LogConfig.defaults();

    DataPathContext(Path dir) throws Exception {
        logManager = new LogManager(List.of(dir), Time.SYSTEM);
        logManager.startup();
        replicaManager = new ReplicaManager(BROKER_ID, logManager, (image, topic) -> logConfig, 2);
        metadata.addListener(replicaManager);
        produce = new ProduceHandler(metadata, replicaManager);
        fetch = new FetchHandler(metadata, replicaManager, fetchManager);
        listOffsets = new ListOffsetsHandler(metadata, replicaManager);
        deleteRecords = new DeleteRecordsHandler(metadata, replicaManager);
        describeProducers = new DescribeProducersHandler(metadata, replicaManager);
    }

    /** Creates (or replaces) a topic whose partitions all have {@code leader}, epoch {@code leaderEpoch}. */
    Uuid createTopic(String name, int partitions, int leader, int leaderEpoch) {
        return createTopic(name, partitions, leader, leaderEpoch, List.of(BROKER_ID), List.of(BROKER_ID));
    }

    /** As above, with the replicas and the ISR the controller's partition state would name. */
    Uuid createTopic(String name, int partitions, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
        Uuid id = topics.containsKey(name) ? topics.get(name).topicId() : Uuid.randomUuid();
        TreeMap<Integer, PartitionState> states = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            states.put(p, new PartitionState(p, leader, leaderEpoch, replicas, isr, 0));
        }
        topics.put(name, new TopicMetadata(name, id, states, Map.of(), false));
        publish();
        return id;
    }

    void deleteTopic(String name) {
        topics.remove(name);
        publish();
    }

    private void publish() {
        Map<Uuid, String> names = new HashMap<>();
        topics.values().forEach(t -> names.put(t.topicId(), t.name()));
        Listener listener = new Listener("PLAINTEXT", SecurityProtocol.PLAINTEXT, "localhost", 9092);
        metadata.set(new MetadataImage("cluster", BROKER_ID,
                Map.of(BROKER_ID, new BrokerRegistration(BROKER_ID, List.of(listener), null)),
                Map.copyOf(topics), names, Map.of()));
    }

    static RequestContext context(ApiKeys api, short version) {
        return context(api, version, "test-client");
    }

    static RequestContext context(ApiKeys api, short version, String clientId) {
        return new RequestContext(new RequestHeader(api, version, clientId, 1), "PLAINTEXT", InetAddress.getLoopbackAddress());
    }

    @Override
    public void close() {
        replicaManager.close();
        logManager.close();
    }

    /** A metadata cache whose image the test sets; listeners are called on the caller's thread. */
    static final class SettableMetadataCache implements MetadataCache {
        private final List<Listener> listeners = new CopyOnWriteArrayList<>();
        private volatile MetadataImage image = MetadataImage.EMPTY;

        void set(MetadataImage next) {
            MetadataImage previous = image;
            image = next;
            listeners.forEach(l -> l.onImage(previous, next));
        }

        @Override
        public MetadataImage image() {
            return image;
        }

        @Override
        public void addListener(Listener listener) {
            listeners.add(listener);
            listener.onImage(MetadataImage.EMPTY, image);
        }
    }
}
