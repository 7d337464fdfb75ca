package io.sluice.server.controller;

import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.IsrChange;
import io.sluice.server.metadata.IsrChangeResult;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.PartitionState;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.server.zk.ZkData;
import io.sluice.server.zk.ZkData.LeaderAndIsr;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ZooKeeper-mode controller, as Kafka 3.x ran it: every broker runs one, exactly one is active,
 * elected by creating the ephemeral {@code /controller} node and bumping {@code /controller_epoch}
 * in one transaction. The active controller reacts to the metadata image:
 *
 * <ul>
 *   <li>partitions with an assignment but no state node (new topics and partitions, written by any
 *       broker's {@link ZkTopicAdmin}): leader = first live replica, leader epoch 0, ISR = live replicas;</li>
 *   <li>topics marked in {@code /admin/delete_topics}: all their znodes are removed (brokers delete the
 *       local logs when the topic leaves the image);</li>
 *   <li>partitions whose leader is not live: the first live replica of the assignment that is in the ISR
 *       becomes leader (leader epoch + 1); with none, leader -1 and the ISR is kept, as Kafka keeps the
 *       last ISR member (no unclean election);</li>
 *   <li>ISR members that are not live are removed (leader epoch + 1).</li>
 * </ul>
 *
 * <p>Every write is fenced: one ZooKeeper transaction that checks the {@code /controller_epoch} version
 * this controller set. A failed check means another controller took over; this one resigns.
 *
 * <p>Threading: images arrive on the metadata thread and are handed, coalesced, to the single
 * {@code sluice-controller} thread, where all state lives and blocking ZooKeeper calls are fine.
 */
public final class Controller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Controller.class);
    private static final long RETRY_MS = 500;

    private final int brokerId;
    private final CuratorFramework zk;
    private final MetadataCache cache;
    private final ExecutorService thread;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile MetadataImage latest = MetadataImage.EMPTY;
    private volatile boolean closed;

    // ---- confined to the controller thread
    private boolean active;
    private int epoch = -1;
    private int epochZkVersion = -1;
    /** The live brokers and their broker epochs as last reconciled. */
    private Map<Integer, Long> lastLiveBrokers = Map.of();
    /** Topics already handled in the exact TopicMetadata instance seen; a new instance means a change. */
    private final Map<String, TopicMetadata> handled = new HashMap<>();

    /** Whether a topic may elect a leader outside the ISR ({@code unclean.leader.election.enable}). */
    @FunctionalInterface
    public interface UncleanElectionPolicy {
        boolean allowed(MetadataImage image, TopicMetadata topic);

        UncleanElectionPolicy NEVER = (image, topic) -> false;
    }

    private final UncleanElectionPolicy uncleanElection;

    public Controller(int brokerId, CuratorFramework zk, MetadataCache cache) {
        this(brokerId, zk, cache, UncleanElectionPolicy.NEVER);
    }

    public Controller(int brokerId, CuratorFramework zk, MetadataCache cache, UncleanElectionPolicy uncleanElection) {
        this.uncleanElection = uncleanElection;
        this.brokerId = brokerId;
        this.zk = zk;
        this.cache = cache;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-controller");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following the metadata image; elects itself when there is no controller. */
    public void start() {
        cache.addListener((previous, current) -> {
            latest = current;
            schedule();
        });
    }

    /** Whether this broker is the active controller (as of the controller thread's last decision). */
    public boolean isActive() {
        return active;
    }

    public int epoch() {
        return epoch;
    }

    private void schedule() {
        if (!closed && scheduled.compareAndSet(false, true)) {
            thread.execute(this::process);
        }
    }

    private void process() {
        scheduled.set(false);
        if (closed) {
            return;
        }
        MetadataImage image = latest;
        try {
            if (!image.brokers().containsKey(brokerId)) {
                return; // a controller must be a live broker; our registration is not visible yet
            }
            if (image.controllerId() == -1 && !active) {
                elect();
            } else if (image.controllerId() != brokerId && image.controllerId() != -1 && active) {
                resign("broker " + image.controllerId() + " is the controller now");
            }
            if (active) {
                reconcile(image);
            }
        } catch (ControllerMovedException e) {
            resign(e.getMessage());
        } catch (Exception e) {
            if (closed) {
                return;
            }
            log.warn("Controller failed to act on metadata; retrying in {} ms", RETRY_MS, e);
            handled.clear();
            thread.execute(() -> sleepThenRetry());
        }
    }

    private void sleepThenRetry() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        schedule();
    }

    // ---- election

    private void elect() throws Exception {
        Stat epochStat = new Stat();
        int currentEpoch;
        try {
            currentEpoch = ZkData.decodeControllerEpoch(zk.getData().storingStatIn(epochStat)
                    .forPath(ZkData.CONTROLLER_EPOCH));
        } catch (KeeperException.NoNodeException e) {
            try {
                // Kafka's initial controller epoch is 0; the first controller makes it 1
                zk.create().forPath(ZkData.CONTROLLER_EPOCH, ZkData.encodeControllerEpoch(0));
            } catch (KeeperException.NodeExistsException raced) {
                // another broker created it
            }
            currentEpoch = ZkData.decodeControllerEpoch(zk.getData().storingStatIn(epochStat)
                    .forPath(ZkData.CONTROLLER_EPOCH));
        }
        int newEpoch = currentEpoch + 1;
        try {
            List<CuratorTransactionResult> results = zk.transaction().forOperations(
                    zk.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                            .forPath(ZkData.CONTROLLER, ZkData.encodeController(brokerId, System.currentTimeMillis())),
                    zk.transactionOp().setData().withVersion(epochStat.getVersion())
                            .forPath(ZkData.CONTROLLER_EPOCH, ZkData.encodeControllerEpoch(newEpoch)));
            for (CuratorTransactionResult r : results) {
                if (r.getType() == OperationType.SET_DATA) {
                    epochZkVersion = r.getResultStat().getVersion();
                }
            }
        } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException lost) {
            log.debug("Lost the controller election: {}", lost.toString());
            return; // another broker won; its /controller node will show up in the image
        }
        epoch = newEpoch;
        active = true;
        handled.clear();
        lastLiveBrokers = Map.of();
        log.info("Broker {} is now the controller (controller epoch {})", brokerId, epoch);
        cleanStaleDeletionMarkers();
    }

    private void resign(String why) {
        if (active) {
            log.info("Broker {} resigns as controller: {}", brokerId, why);
        }
        active = false;
        handled.clear();
    }

    /** Deletion markers for topics that do not exist are removed, as Kafka's controller does on failover. */
    private void cleanStaleDeletionMarkers() throws Exception {
        List<String> marked;
        try {
            marked = zk.getChildren().forPath(ZkData.DELETE_TOPICS);
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        for (String topic : marked) {
            if (zk.checkExists().forPath(ZkData.topicPath(topic)) == null) {
                fencedWrite(List.of(zk.transactionOp().delete().forPath(ZkData.deleteTopicPath(topic))));
            }
        }
    }

    // ---- reacting to the image

    private void reconcile(MetadataImage image) throws Exception {
        Map<Integer, Long> liveEpochs = new HashMap<>();
        image.brokers().forEach((id, broker) -> liveEpochs.put(id, broker.epoch()));
        Set<Integer> live = image.brokers().keySet();
        if (!liveEpochs.equals(lastLiveBrokers)) {
            handled.clear(); // every partition's leader and ISR must be looked at again
            // A broker registered again at a new epoch may have restarted without the image ever showing it gone (the
            // old znode's deletion and the new one's creation seen as one change): as Kafka's bouncedBrokerIds, it is
            // handled as failed first, so it leaves every ISR and leads nothing it led before its restart.
            Set<Integer> bounced = new java.util.HashSet<>();
            lastLiveBrokers.forEach((id, epoch) -> {
                Long now = liveEpochs.get(id);
                if (now != null && !now.equals(epoch)) {
                    bounced.add(id);
                }
            });
            if (!bounced.isEmpty()) {
                log.info("Brokers {} registered again at a new broker epoch: handled as failed, then started", bounced);
                Set<Integer> withoutBounced = new java.util.HashSet<>(live);
                withoutBounced.removeAll(bounced);
                for (TopicMetadata topic : image.topics().values()) {
                    if (!topic.markedForDeletion()) {
                        updatePartitions(topic, withoutBounced);
                    }
                }
            }
            lastLiveBrokers = Map.copyOf(liveEpochs);
        }
        handled.keySet().retainAll(image.topics().keySet());
        for (TopicMetadata topic : image.topics().values()) {
            if (handled.get(topic.name()) == topic) {
                continue;
            }
            if (topic.markedForDeletion()) {
                deleteTopic(topic);
            } else {
                updatePartitions(topic, live);
            }
            handled.put(topic.name(), topic);
        }
    }

    /** Partition state writes per ZooKeeper transaction: about 150 bytes each, so far below the 1 MB request limit. */
    static final int MAX_OPS_PER_TRANSACTION = 1000;

    private void updatePartitions(TopicMetadata topic, Set<Integer> live) throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        PartitionPaths paths = null;
        for (PartitionState p : topic.partitions().values()) {
            String path = ZkData.partitionStatePath(topic.name(), p.partition());
            if (p.partitionEpoch() < 0) {
                List<Integer> liveReplicas = p.replicas().stream().filter(live::contains).toList();
                if (liveReplicas.isEmpty()) {
                    continue; // stays new until a replica is live, as Kafka's NewPartition
                }
                if (paths == null) {
                    paths = new PartitionPaths(topic.name(), childrenOrNull(ZkData.partitionsPath(topic.name())));
                }
                paths.addCreates(p.partition(), ops);
                ops.add(zk.transactionOp().create().forPath(path, ZkData.encodePartitionState(
                        new LeaderAndIsr(liveReplicas.get(0), 0, liveReplicas, epoch))));
                changes.add(p.partition() + ": new, leader " + liveReplicas.get(0));
                continue;
            }
            LeaderAndIsr next = electLeader(p, live, epoch, uncleanElection.allowed(latest, topic));
            if (next != null && next.isr().size() == 1 && next.leader() >= 0 && !p.isr().contains(next.leader())) {
                log.warn("Unclean leader election for {}-{}: broker {} was not in the ISR {}; records it lacks are lost"
                        + " (unclean.leader.election.enable=true)", topic.name(), p.partition(), next.leader(), p.isr());
            }
            if (next != null) {
                ops.add(zk.transactionOp().setData().withVersion(p.partitionEpoch()).forPath(path,
                        ZkData.encodePartitionState(next)));
                changes.add(p.partition() + ": leader " + next.leader() + " epoch " + next.leaderEpoch()
                        + " isr " + next.isr());
            }
        }
        if (!ops.isEmpty()) {
            try {
                // in chunks, each well under ZooKeeper's 1 MB request limit (jute.maxbuffer), in order
                for (int from = 0; from < ops.size(); from += MAX_OPS_PER_TRANSACTION) {
                    fencedWrite(ops.subList(from, Math.min(ops.size(), from + MAX_OPS_PER_TRANSACTION)));
                }
                log.info("Controller updated partitions of {}: {}", topic.name(), changes);
            } catch (KeeperException.NodeExistsException | KeeperException.NoNodeException
                     | KeeperException.BadVersionException stale) {
                // our image was behind ZooKeeper (a partition created, a topic deleted meanwhile); the next image
                // brings the current states
                log.debug("Partition state update of {} raced: {}", topic.name(), stale.toString());
            }
        }
    }

    /**
     * The new leader and ISR of a partition after broker changes, or null when nothing changes, as Kafka's offline
     * election: the first live replica of the assignment that is in the ISR; with none and {@code uncleanAllowed}, the
     * first live replica at all, alone in the ISR (its log becomes the truth, so records only the others had are
     * lost).
     */
    static LeaderAndIsr electLeader(PartitionState p, Set<Integer> live, int controllerEpoch, boolean uncleanAllowed) {
        List<Integer> liveIsr = p.isr().stream().filter(live::contains).toList();
        boolean leaderLive = p.leader() >= 0 && live.contains(p.leader());
        if (leaderLive) {
            if (liveIsr.size() == p.isr().size()) {
                return null;
            }
            return new LeaderAndIsr(p.leader(), p.leaderEpoch() + 1, liveIsr, controllerEpoch);
        }
        for (int replica : p.replicas()) {
            if (liveIsr.contains(replica)) {
                return new LeaderAndIsr(replica, p.leaderEpoch() + 1, liveIsr, controllerEpoch);
            }
        }
        if (uncleanAllowed) {
            for (int replica : p.replicas()) {
                if (live.contains(replica)) {
                    return new LeaderAndIsr(replica, p.leaderEpoch() + 1, List.of(replica), controllerEpoch);
                }
            }
        }
        if (p.leader() == -1) {
            return null; // already offline; waits for an ISR member to come back
        }
        // No live ISR member: offline, keeping the ISR so that its last member can lead again.
        return new LeaderAndIsr(-1, p.leaderEpoch() + 1, p.isr(), controllerEpoch);
    }

    /**
     * The parent znodes a new partition's state needs ({@code .../partitions}, {@code .../partitions/<p>}), created in
     * the same transaction as the states: one round trip for a topic of any size, where creating them one by one cost
     * a ZooKeeper write per partition (600 ms for the 50 partitions of {@code __consumer_offsets}).
     */
    private final class PartitionPaths {
        private final String topic;
        private final Set<String> existing;
        private boolean parentExists;

        /** @param existing the children of {@code .../partitions}, or null when it does not exist */
        PartitionPaths(String topic, List<String> existing) {
            this.topic = topic;
            this.parentExists = existing != null;
            this.existing = existing == null ? Set.of() : Set.copyOf(existing);
        }

        void addCreates(int partition, List<CuratorOp> ops) throws Exception {
            if (!parentExists) {
                ops.add(zk.transactionOp().create().forPath(ZkData.partitionsPath(topic)));
                parentExists = true;
            }
            if (!existing.contains(Integer.toString(partition))) {
                ops.add(zk.transactionOp().create().forPath(ZkData.partitionPath(topic, partition)));
            }
        }
    }

    private void deleteTopic(TopicMetadata topic) throws Exception {
        String name = topic.name();
        List<CuratorOp> ops = new ArrayList<>();
        List<String> partitions = childrenOrEmpty(ZkData.partitionsPath(name));
        for (String p : partitions) {
            String partitionPath = ZkData.partitionsPath(name) + "/" + p;
            for (String child : childrenOrEmpty(partitionPath)) {
                ops.add(zk.transactionOp().delete().forPath(partitionPath + "/" + child));
            }
            ops.add(zk.transactionOp().delete().forPath(partitionPath));
        }
        if (zk.checkExists().forPath(ZkData.partitionsPath(name)) != null) {
            ops.add(zk.transactionOp().delete().forPath(ZkData.partitionsPath(name)));
        }
        for (String child : childrenOrEmpty(ZkData.topicPath(name))) {
            if (!child.equals("partitions")) {
                ops.add(zk.transactionOp().delete().forPath(ZkData.topicPath(name) + "/" + child));
            }
        }
        ops.add(zk.transactionOp().delete().forPath(ZkData.topicPath(name)));
        if (zk.checkExists().forPath(ZkData.topicConfigPath(name)) != null) {
            ops.add(zk.transactionOp().delete().forPath(ZkData.topicConfigPath(name)));
        }
        ops.add(zk.transactionOp().delete().forPath(ZkData.deleteTopicPath(name)));
        try {
            fencedWrite(ops);
            log.info("Controller deleted topic {} (topic id {}, {} partitions)", name, topic.topicId(),
                    topic.partitions().size());
        } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException raced) {
            log.debug("Deletion of {} raced: {}", name, raced.toString());
        }
    }

    private List<String> childrenOrNull(String path) throws Exception {
        try {
            return zk.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    private List<String> childrenOrEmpty(String path) throws Exception {
        List<String> children = childrenOrNull(path);
        return children == null ? List.of() : children;
    }

    /** Runs {@code ops} in one transaction with a check of the controller epoch's version. */
    private void fencedWrite(List<CuratorOp> ops) throws Exception {
        List<CuratorOp> all = new ArrayList<>(ops.size() + 1);
        all.add(zk.transactionOp().check().withVersion(epochZkVersion).forPath(ZkData.CONTROLLER_EPOCH));
        all.addAll(ops);
        try {
            zk.transaction().forOperations(all);
        } catch (KeeperException.BadVersionException e) {
            if (zk.checkExists().forPath(ZkData.CONTROLLER_EPOCH).getVersion() != epochZkVersion) {
                throw new ControllerMovedException("controller epoch " + epoch + " was superseded");
            }
            throw e;
        }
    }

    // ---- ISR changes asked by leaders (AlterPartition)

    /**
     * Commits the ISR changes a leader asks for, as Kafka's {@code KafkaController.tryProcessAlterPartition}, on the
     * controller thread. The whole request fails with NOT_CONTROLLER when this broker is not the active controller and
     * with STALE_BROKER_EPOCH when the leader's registration is not the one it claims; each partition is checked
     * against its state znode as ZooKeeper has it now (so the controller's own recent writes count): an older leader
     * epoch is FENCED_LEADER_EPOCH, an older partition epoch INVALID_UPDATE_VERSION, a member that is not a live
     * replica, or not in the broker epoch it fetched with (KIP-903), INELIGIBLE_REPLICA. An ISR equal to the current
     * one succeeds without a write, so a retried request is harmless.
     *
     * @return one result per change, in order
     */
    public CompletableFuture<List<IsrChangeResult>> alterPartition(int brokerId, long brokerEpoch,
                                                                   List<IsrChange> changes) {
        CompletableFuture<List<IsrChangeResult>> future = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    future.complete(processAlterPartition(brokerId, brokerEpoch, changes));
                } catch (ControllerMovedException e) {
                    resign(e.getMessage());
                    future.completeExceptionally(new NotControllerException(e.getMessage()));
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new NotControllerException("the controller is shutting down"));
        }
        return future;
    }

    private List<IsrChangeResult> processAlterPartition(int brokerId, long brokerEpoch, List<IsrChange> changes)
            throws Exception {
        if (!active || closed) {
            throw new NotControllerException("broker " + this.brokerId + " is not the active controller");
        }
        MetadataImage image = latest;
        BrokerRegistration requester = image.brokers().get(brokerId);
        if (requester == null || (brokerEpoch != -1 && requester.epoch() != brokerEpoch)) {
            throw new StaleBrokerEpochException("broker " + brokerId + " at epoch " + brokerEpoch
                    + " is not the registered one");
        }
        List<IsrChangeResult> results = new ArrayList<>(changes.size());
        for (IsrChange change : changes) {
            results.add(alterIsr(brokerId, change, image));
        }
        return results;
    }

    private IsrChangeResult alterIsr(int brokerId, IsrChange change, MetadataImage image) throws Exception {
        TopicPartition tp = change.topicPartition();
        String path = ZkData.partitionStatePath(tp.topic(), tp.partition());
        Stat stat = new Stat();
        LeaderAndIsr current;
        try {
            current = ZkData.decodePartitionState(zk.getData().storingStatIn(stat).forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return IsrChangeResult.failed(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (change.leaderEpoch() < current.leaderEpoch()) {
            return IsrChangeResult.failed(Errors.FENCED_LEADER_EPOCH);
        }
        if (change.leaderEpoch() > current.leaderEpoch() || current.leader() != brokerId) {
            // the leader knows a state ZooKeeper does not have: it is not this controller's (Kafka's answer)
            return IsrChangeResult.failed(current.leader() != brokerId && change.leaderEpoch() == current.leaderEpoch()
                    ? Errors.INVALID_REQUEST : Errors.NOT_CONTROLLER);
        }
        if (change.newIsr().equals(current.isr())) {
            return new IsrChangeResult(Errors.NONE, current.leader(), current.leaderEpoch(), current.isr(),
                    stat.getVersion());
        }
        if (change.partitionEpoch() < stat.getVersion()) {
            return IsrChangeResult.failed(Errors.INVALID_UPDATE_VERSION);
        }
        if (change.partitionEpoch() > stat.getVersion()) {
            return IsrChangeResult.failed(Errors.NOT_CONTROLLER);
        }
        if (!change.newIsr().contains(brokerId)) {
            return IsrChangeResult.failed(Errors.INVALID_REQUEST);
        }
        List<Integer> replicas = image.partition(tp).map(PartitionState::replicas).orElse(List.of());
        for (int member : change.newIsr()) {
            BrokerRegistration registration = image.brokers().get(member);
            long fetchedWith = change.brokerEpochs().getOrDefault(member, -1L);
            if (registration == null || !replicas.contains(member)
                    || (fetchedWith != -1 && fetchedWith != registration.epoch())) {
                return IsrChangeResult.failed(Errors.INELIGIBLE_REPLICA);
            }
        }
        LeaderAndIsr next = new LeaderAndIsr(current.leader(), current.leaderEpoch(), change.newIsr(), epoch);
        try {
            fencedWrite(List.of(zk.transactionOp().setData().withVersion(stat.getVersion())
                    .forPath(path, ZkData.encodePartitionState(next))));
        } catch (KeeperException.BadVersionException raced) {
            return IsrChangeResult.failed(Errors.INVALID_UPDATE_VERSION);
        }
        log.info("ISR of {} changed from {} to {} at leader {} (leader epoch {})", tp, current.isr(), change.newIsr(),
                current.leader(), current.leaderEpoch());
        return new IsrChangeResult(Errors.NONE, current.leader(), current.leaderEpoch(), change.newIsr(),
                stat.getVersion() + 1);
    }

    /** This controller was fenced by a newer one. */
    static final class ControllerMovedException extends Exception {
        ControllerMovedException(String message) {
            super(message);
        }
    }

    /**
     * Stops acting and gives up the controller role (deletes {@code /controller} if this broker holds it),
     * so that another broker can take over at once.
     */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (active) {
            try {
                Stat stat = new Stat();
                byte[] data = zk.getData().storingStatIn(stat).forPath(ZkData.CONTROLLER);
                if (ZkData.decodeControllerId(data) == brokerId
                        && stat.getEphemeralOwner() == zk.getZookeeperClient().getZooKeeper().getSessionId()) {
                    zk.delete().withVersion(stat.getVersion()).forPath(ZkData.CONTROLLER);
                }
            } catch (Exception e) {
                log.debug("Could not remove /controller on shutdown", e);
            }
            active = false;
        }
    }
}
