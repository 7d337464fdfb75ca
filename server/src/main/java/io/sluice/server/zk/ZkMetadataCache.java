package io.sluice.server.zk;

import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.server.zk.ZkData.LeaderAndIsr;
import io.sluice.server.zk.ZkData.TopicAssignment;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.Uuid;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The {@link MetadataCache} fed by ZooKeeper. One persistent recursive watch on the root tells it which
 * znodes changed; the metadata thread re-reads exactly those, updates its mirror of Kafka's layout
 * ({@link ZkData}), and publishes a new immutable {@link MetadataImage}. Bursts of changes (one controller
 * transaction) coalesce into one image. After a reconnect the mirror is reloaded from scratch, because
 * changes made while disconnected may not all be reported.
 *
 * <p>A partition whose assignment is known but whose state node is not there yet (a topic being
 * created) appears with leader -1, leader epoch -1 and an empty ISR.
 *
 * <p>Threading: all mirror state is confined to the single {@code sluice-metadata} thread; the image is
 * a volatile reference, readable from anywhere. Listeners and {@link #await} waiters run on that thread
 * and must not block it.
 */
public final class ZkMetadataCache implements MetadataCache, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZkMetadataCache.class);
    private static final long RELOAD_RETRY_MS = 1000;

    private final CuratorFramework zk;
    private final ScheduledThreadPoolExecutor thread;
    private final Watcher watcher = this::onWatchEvent;
    private final ConnectionStateListener connectionListener = this::onConnectionState;
    private volatile MetadataImage image = MetadataImage.EMPTY;

    // ---- confined to the metadata thread
    private final List<MetadataCache.Listener> listeners = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final Set<String> pendingPaths = new LinkedHashSet<>();
    private boolean drainScheduled;
    private boolean closed;
    private String clusterId = "";
    private int controllerId = -1;
    private final Map<Integer, BrokerRegistration> brokers = new TreeMap<>();
    private final Map<String, TopicAssignment> assignments = new HashMap<>();
    private final Map<String, Map<Integer, VersionedState>> states = new HashMap<>();
    private final Map<String, Map<String, String>> topicConfigs = new HashMap<>();
    private final Set<String> deletions = new HashSet<>();
    private final Map<Integer, Map<String, String>> brokerConfigs = new TreeMap<>();
    private final Map<String, TopicMetadata> topicImages = new HashMap<>();
    private final Set<String> dirtyTopics = new HashSet<>();

    private record VersionedState(LeaderAndIsr state, int zkVersion, long mzxid) {
    }

    private record Waiter(Predicate<MetadataImage> condition, CompletableFuture<MetadataImage> future,
                          ScheduledFuture<?> timeout) {
    }

    public ZkMetadataCache(CuratorFramework zk) {
        this.zk = zk;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sluice-metadata");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
    }

    /** Installs the watch and loads everything; the future completes when the first image is published. */
    public CompletableFuture<MetadataImage> start() {
        zk.getConnectionStateListenable().addListener(connectionListener);
        CompletableFuture<MetadataImage> first = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                reload();
                first.complete(image);
            } catch (Exception e) {
                first.completeExceptionally(e);
            }
        });
        return first;
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    @Override
    public void addListener(MetadataCache.Listener listener) {
        submit(() -> {
            listeners.add(listener);
            notify(listener, MetadataImage.EMPTY, image);
        });
    }

    /**
     * Completes with the first published image (or the current one) that satisfies {@code condition}, or
     * exceptionally with {@link TimeoutException} after {@code timeoutMs}. Completes on the metadata thread.
     */
    @Override
    public CompletableFuture<MetadataImage> await(Predicate<MetadataImage> condition, long timeoutMs) {
        CompletableFuture<MetadataImage> future = new CompletableFuture<>();
        MetadataImage current = image;
        if (condition.test(current)) {
            future.complete(current);
            return future;
        }
        Runnable register = () -> {
            if (closed) {
                future.completeExceptionally(new IllegalStateException("broker is shutting down"));
                return;
            }
            if (condition.test(image)) {
                future.complete(image);
                return;
            }
            ScheduledFuture<?> timeout = thread.schedule(() -> {
                waiters.removeIf(w -> w.future == future);
                future.completeExceptionally(new TimeoutException("metadata did not reach the expected state in "
                        + timeoutMs + " ms"));
            }, Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
            waiters.add(new Waiter(condition, future, timeout));
        };
        try {
            thread.execute(register);
        } catch (RejectedExecutionException closing) {
            future.completeExceptionally(new IllegalStateException("broker is shutting down"));
        }
        return future;
    }

    // ---- ZooKeeper events

    private void onWatchEvent(WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.None || event.getPath() == null) {
            return;
        }
        String path = event.getPath();
        submit(() -> {
            pendingPaths.add(path);
            if (!drainScheduled) {
                drainScheduled = true;
                thread.execute(this::drain);
            }
        });
    }

    /** Runs a task on the metadata thread, unless the cache is closed (ZooKeeper events may still arrive). */
    private void submit(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closing) {
            // shut down
        }
    }

    private void onConnectionState(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            log.info("Reconnected to ZooKeeper; reloading metadata");
            submit(this::reloadOrRetry);
        }
    }

    private void reloadOrRetry() {
        if (closed) {
            return;
        }
        try {
            reload();
        } catch (Exception e) {
            log.warn("Failed to reload metadata from ZooKeeper; retrying in {} ms", RELOAD_RETRY_MS, e);
            thread.schedule(this::reloadOrRetry, RELOAD_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void drain() {
        drainScheduled = false;
        if (closed) {
            return;
        }
        List<String> paths = new ArrayList<>(pendingPaths);
        pendingPaths.clear();
        try {
            for (String path : paths) {
                refresh(path);
            }
        } catch (Exception e) {
            log.warn("Failed to read metadata from ZooKeeper; reloading in {} ms", RELOAD_RETRY_MS, e);
            thread.schedule(this::reloadOrRetry, RELOAD_RETRY_MS, TimeUnit.MILLISECONDS);
            return;
        }
        publish();
    }

    /** Adds the watch (idempotent), then reads every node the image is built from. */
    private void reload() throws Exception {
        zk.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher).forPath("/");
        pendingPaths.clear();
        brokers.clear();
        assignments.clear();
        states.clear();
        topicConfigs.clear();
        deletions.clear();
        brokerConfigs.clear();
        topicImages.clear();
        refresh(ZkData.CLUSTER_ID);
        refresh(ZkData.CONTROLLER);
        for (String id : children(ZkData.BROKER_IDS)) {
            refresh(ZkData.BROKER_IDS + "/" + id);
        }
        for (String topic : children(ZkData.BROKER_TOPICS)) {
            refresh(ZkData.topicPath(topic));
            for (String p : children(ZkData.partitionsPath(topic))) {
                refresh(ZkData.partitionsPath(topic) + "/" + p + "/state");
            }
        }
        for (String topic : children(ZkData.CONFIG_TOPICS)) {
            refresh(ZkData.topicConfigPath(topic));
        }
        for (String entity : children(ZkData.CONFIG_BROKERS)) {
            refresh(ZkData.CONFIG_BROKERS + "/" + entity);
        }
        for (String topic : children(ZkData.DELETE_TOPICS)) {
            refresh(ZkData.deleteTopicPath(topic));
        }
        dirtyTopics.addAll(assignments.keySet());
        publish();
    }

    private List<String> children(String path) throws Exception {
        try {
            return zk.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /** Reads one znode and applies it (or its absence) to the mirror; ignores paths the image does not use. */
    private void refresh(String path) throws Exception {
        String[] parts = path.substring(1).split("/");
        switch (parts[0]) {
            case "cluster" -> {
                if (parts.length == 2 && parts[1].equals("id")) {
                    byte[] data = read(path, null);
                    clusterId = data == null ? "" : parse(path, () -> ZkData.decodeClusterId(data), "");
                }
            }
            case "controller" -> {
                if (parts.length == 1) {
                    byte[] data = read(path, null);
                    controllerId = data == null ? -1 : parse(path, () -> ZkData.decodeControllerId(data), -1);
                }
            }
            case "brokers" -> refreshBrokers(path, parts);
            case "config" -> refreshConfig(path, parts);
            case "admin" -> {
                if (parts.length == 3 && parts[1].equals("delete_topics")) {
                    boolean marked = zk.checkExists().forPath(path) != null;
                    boolean changed = marked ? deletions.add(parts[2]) : deletions.remove(parts[2]);
                    if (changed) {
                        dirtyTopics.add(parts[2]);
                    }
                }
            }
            default -> {
                // not part of the image
            }
        }
    }

    private void refreshBrokers(String path, String[] parts) throws Exception {
        if (parts.length == 3 && parts[1].equals("ids")) {
            int id;
            try {
                id = Integer.parseInt(parts[2]);
            } catch (NumberFormatException e) {
                return;
            }
            Stat stat = new Stat();
            byte[] data = read(path, stat);
            BrokerRegistration broker = data == null ? null
                    : parse(path, () -> ZkData.decodeBroker(id, data).withEpoch(stat.getCzxid()), null);
            if (broker == null) {
                brokers.remove(id);
            } else {
                brokers.put(id, broker);
            }
        } else if (parts.length == 3 && parts[1].equals("topics")) {
            String topic = parts[2];
            byte[] data = read(path, null);
            TopicAssignment assignment = data == null ? null : parse(path, () -> ZkData.decodeTopic(data), null);
            if (assignment == null) {
                assignments.remove(topic);
                states.remove(topic);
            } else {
                assignments.put(topic, assignment);
            }
            dirtyTopics.add(topic);
        } else if (parts.length == 6 && parts[1].equals("topics") && parts[3].equals("partitions")
                && parts[5].equals("state")) {
            String topic = parts[2];
            int partition;
            try {
                partition = Integer.parseInt(parts[4]);
            } catch (NumberFormatException e) {
                return;
            }
            Stat stat = new Stat();
            byte[] data = read(path, stat);
            LeaderAndIsr state = data == null ? null : parse(path, () -> ZkData.decodePartitionState(data), null);
            if (state == null) {
                Map<Integer, VersionedState> byPartition = states.get(topic);
                if (byPartition != null) {
                    byPartition.remove(partition);
                }
            } else {
                states.computeIfAbsent(topic, t -> new HashMap<>()).put(partition,
                        new VersionedState(state, stat.getVersion(), stat.getMzxid()));
            }
            dirtyTopics.add(topic);
        }
    }

    private void refreshConfig(String path, String[] parts) throws Exception {
        if (parts.length != 3) {
            return;
        }
        byte[] data = read(path, null);
        Map<String, String> config = data == null ? null : parse(path, () -> ZkData.decodeConfig(data), Map.of());
        if (parts[1].equals("topics")) {
            if (config == null) {
                topicConfigs.remove(parts[2]);
            } else {
                topicConfigs.put(parts[2], config);
            }
            dirtyTopics.add(parts[2]);
        } else if (parts[1].equals("brokers")) {
            int id;
            if (parts[2].equals(ZkData.DEFAULT_BROKER_ENTITY)) {
                id = -1;
            } else {
                try {
                    id = Integer.parseInt(parts[2]);
                } catch (NumberFormatException e) {
                    return;
                }
            }
            if (config == null || config.isEmpty()) {
                brokerConfigs.remove(id);
            } else {
                brokerConfigs.put(id, config);
            }
        }
    }

    private byte[] read(String path, Stat stat) throws Exception {
        try {
            return stat == null ? zk.getData().forPath(path) : zk.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    private interface Decoder<T> {
        T decode();
    }

    private static <T> T parse(String path, Decoder<T> decoder, T fallback) {
        try {
            return decoder.decode();
        } catch (RuntimeException e) {
            log.error("Ignoring unreadable znode {}: {}", path, e.toString());
            return fallback;
        }
    }

    // ---- publishing

    private void publish() {
        for (String topic : dirtyTopics) {
            TopicAssignment assignment = assignments.get(topic);
            if (assignment == null) {
                topicImages.remove(topic);
            } else {
                topicImages.put(topic, buildTopic(topic, assignment));
            }
        }
        dirtyTopics.clear();
        Map<String, TopicMetadata> topics = new TreeMap<>(topicImages);
        Map<Uuid, String> names = new HashMap<>();
        topics.values().forEach(t -> names.put(t.topicId(), t.name()));
        Map<Integer, Map<String, String>> brokerOverrides = new TreeMap<>(brokerConfigs);
        MetadataImage previous = image;
        MetadataImage next = new MetadataImage(clusterId, controllerId,
                Collections.unmodifiableMap(new TreeMap<>(brokers)), Collections.unmodifiableMap(topics),
                Collections.unmodifiableMap(names), Collections.unmodifiableMap(brokerOverrides));
        image = next;
        for (MetadataCache.Listener listener : listeners) {
            notify(listener, previous, next);
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            boolean done;
            try {
                done = waiter.condition.test(next);
            } catch (RuntimeException e) {
                waiter.future.completeExceptionally(e);
                done = true;
            }
            if (done) {
                it.remove();
                waiter.timeout.cancel(false);
                waiter.future.complete(next);
            }
        }
    }

    private TopicMetadata buildTopic(String topic, TopicAssignment assignment) {
        Map<Integer, VersionedState> topicStates = states.getOrDefault(topic, Map.of());
        SortedMap<Integer, PartitionState> partitions = new TreeMap<>();
        assignment.partitions().forEach((p, replicas) -> {
            VersionedState vs = topicStates.get(p);
            partitions.put(p, vs == null
                    ? new PartitionState(p, -1, -1, replicas, List.of(), -1)
                    : new PartitionState(p, vs.state.leader(), vs.state.leaderEpoch(), replicas, vs.state.isr(),
                    vs.zkVersion, vs.state.elr(), vs.state.lastKnownElr(), vs.mzxid));
        });
        return new TopicMetadata(topic, assignment.topicId(), Collections.unmodifiableSortedMap(partitions),
                topicConfigs.getOrDefault(topic, Map.of()), deletions.contains(topic));
    }

    private static void notify(MetadataCache.Listener listener, MetadataImage previous, MetadataImage current) {
        try {
            listener.onImage(previous, current);
        } catch (RuntimeException e) {
            log.error("Metadata listener {} failed", listener, e);
        }
    }

    @Override
    public void close() {
        zk.getConnectionStateListenable().removeListener(connectionListener);
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                closed = true;
                for (Waiter waiter : waiters) {
                    waiter.timeout.cancel(false);
                    waiter.future.completeExceptionally(new IllegalStateException("broker is shutting down"));
                }
                waiters.clear();
                done.complete(null);
            });
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Metadata thread did not drain before shutdown", e);
        }
        try {
            zk.watchers().remove(watcher).locally().forPath("/");
        } catch (Exception e) {
            log.debug("Could not remove the metadata watch", e);
        }
        thread.shutdownNow();
    }
}
