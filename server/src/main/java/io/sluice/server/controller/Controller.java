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
import java.util.Optional;
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
 *   <li>ISR members that are not live are removed (leader epoch + 1), and partitions whose leader is not live get
 *       a new one, as {@link PartitionChange} decides: from the ISR, else from KIP-966's eligible leader replicas,
 *       else the last known leader, else (with {@code unclean.leader.election.enable}) any live replica, else none;</li>
 *   <li>a broker that registers after an unclean shutdown (its registration's {@code previous_broker_epoch} is -1,
 *       or not the epoch this controller last saw it at, as KRaft's {@code PreviousBrokerEpoch} check) may have lost
 *       acknowledged records: it leaves every ISR and ELR it was in before this registration, and may lead only as the
 *       last known leader or through an unclean election.</li>
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
    /** Every broker's last registration epoch seen, kept while it is away: the previous epoch a clean restart names. */
    private final Map<Integer, Long> seenEpochs = new HashMap<>();
    /** Brokers whose current registration (this epoch) follows an unclean shutdown. */
    private final Map<Integer, Long> uncleanRegistrations = new HashMap<>();

    /** The topic configs elections depend on, as the topic, the cluster default and the broker's own config set them. */
    public interface ElectionConfig {
        /** {@code unclean.leader.election.enable}: whether a replica outside the ISR and ELR may lead. */
        boolean uncleanLeaderElection(MetadataImage image, TopicMetadata topic);

        /** {@code min.insync.replicas}: below it, replicas leaving the ISR become eligible leader replicas. */
        int minInSyncReplicas(MetadataImage image, TopicMetadata topic);

        /** Kafka's defaults: no unclean election, {@code min.insync.replicas=1}. */
        ElectionConfig DEFAULTS = new ElectionConfig() {
            @Override
            public boolean uncleanLeaderElection(MetadataImage image, TopicMetadata topic) {
                return false;
            }

            @Override
            public int minInSyncReplicas(MetadataImage image, TopicMetadata topic) {
                return 1;
            }
        };
    }

    private final ElectionConfig electionConfig;

    public Controller(int brokerId, CuratorFramework zk, MetadataCache cache) {
        this(brokerId, zk, cache, ElectionConfig.DEFAULTS);
    }

    public Controller(int brokerId, CuratorFramework zk, MetadataCache cache, ElectionConfig electionConfig) {
        this.electionConfig = electionConfig;
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
        judgeRegistrations(image);
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

    /**
     * Judges every registration not judged yet, on every broker (active or not), so that a controller taking over
     * knows the epochs brokers had: unclean when the broker names no clean shutdown, or names an epoch other than the
     * one last seen for it.
     */
    private void judgeRegistrations(MetadataImage image) {
        for (BrokerRegistration broker : image.brokers().values()) {
            Long seen = seenEpochs.get(broker.id());
            if (seen != null && seen == broker.epoch()) {
                continue;
            }
            boolean unclean = !broker.shutDownCleanly() || (seen != null && seen != broker.previousEpoch());
            if (unclean) {
                uncleanRegistrations.put(broker.id(), broker.epoch());
                if (seen != null || active) {
                    log.info("Broker {} registered at epoch {} after an unclean shutdown (previous broker epoch {}): it"
                            + " leaves the ISRs and ELRs of its previous life", broker.id(), broker.epoch(),
                            broker.previousEpoch());
                }
            } else {
                uncleanRegistrations.remove(broker.id());
            }
            seenEpochs.put(broker.id(), broker.epoch());
        }
    }

    /**
     * The brokers whose membership in {@code p}'s ISR and ELR is void: registered after an unclean shutdown, later
     * than the state was last written (a registration's epoch is its czxid, a state's write its mzxid).
     */
    private Set<Integer> voidedMembers(PartitionState p) {
        Set<Integer> voided = new java.util.HashSet<>();
        uncleanRegistrations.forEach((id, registeredAt) -> {
            if (registeredAt > p.stateZxid()) {
                voided.add(id);
            }
        });
        return voided;
    }

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
            Optional<PartitionChange.Result> change = electLeader(p, live, voidedMembers(p),
                    electionConfig.minInSyncReplicas(latest, topic), electionConfig.uncleanLeaderElection(latest, topic),
                    epoch);
            LeaderAndIsr next = change.map(PartitionChange.Result::state).orElse(null);
            if (next != null && change.get().unclean()) {
                log.warn("Unclean leader election for {}-{}: broker {} leads with ISR {}, ELR {} and last known leader"
                        + " {} before; records it lacks are lost", topic.name(), p.partition(), next.leader(), p.isr(),
                        p.elr(), p.lastKnownElr());
            }
            if (next != null) {
                ops.add(zk.transactionOp().setData().withVersion(p.partitionEpoch()).forPath(path,
                        ZkData.encodePartitionState(next)));
                changes.add(p.partition() + ": leader " + next.leader() + " epoch " + next.leaderEpoch()
                        + " isr " + next.isr() + (next.elr().isEmpty() ? "" : " elr " + next.elr())
                        + (next.lastKnownElr().isEmpty() ? "" : " last known leader " + next.lastKnownElr()));
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
     * The new state of a partition after broker changes, empty when nothing changes: members not {@code live} leave the
     * ISR, members in {@code voided} (restarted after an unclean shutdown) leave the ISR and the ELR and may not lead
     * from them, and a leader is elected as {@link PartitionChange} decides. A voided broker that is the last known
     * leader may then lead, as KRaft elects it once the broker is unfenced.
     */
    static Optional<PartitionChange.Result> electLeader(PartitionState p, Set<Integer> live, Set<Integer> voided,
                                                         int minInSyncReplicas, boolean uncleanAllowed,
                                                         int controllerEpoch) {
        List<Integer> targetIsr = p.isr().stream().filter(r -> live.contains(r) && !voided.contains(r)).toList();
        Optional<PartitionChange.Result> first = PartitionChange.next(p, targetIsr,
                r -> live.contains(r) && !voided.contains(r), voided, minInSyncReplicas, uncleanAllowed,
                controllerEpoch, true);
        if (voided.isEmpty() || first.isEmpty() || first.get().state().leader() != -1) {
            return first;
        }
        LeaderAndIsr removed = first.get().state();
        PartitionState interim = new PartitionState(p.partition(), removed.leader(), removed.leaderEpoch(),
                p.replicas(), removed.isr(), p.partitionEpoch(), removed.elr(), removed.lastKnownElr(), p.stateZxid());
        Optional<PartitionChange.Result> second = PartitionChange.next(interim, removed.isr(), live::contains, Set.of(),
                minInSyncReplicas, uncleanAllowed, controllerEpoch, true);
        return second.isPresent() ? second : first;
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
        PartitionState before = new PartitionState(tp.partition(), current.leader(), current.leaderEpoch(), replicas,
                current.isr(), stat.getVersion(), current.elr(), current.lastKnownElr(), stat.getMzxid());
        TopicMetadata topic = image.topics().get(tp.topic());
        int minInSyncReplicas = topic == null ? 1 : electionConfig.minInSyncReplicas(image, topic);
        // the leader is a live member of the new ISR, so it stays; what changes is the ISR (never equal to the current
        // one here, so there is a change) and, below the minimum, the eligible leader replicas
        LeaderAndIsr next = PartitionChange.next(before, change.newIsr(), image.brokers()::containsKey,
                voidedMembers(before), minInSyncReplicas, false, epoch, false).orElseThrow().state();
        try {
            fencedWrite(List.of(zk.transactionOp().setData().withVersion(stat.getVersion())
                    .forPath(path, ZkData.encodePartitionState(next))));
        } catch (KeeperException.BadVersionException raced) {
            return IsrChangeResult.failed(Errors.INVALID_UPDATE_VERSION);
        }
        log.info("ISR of {} changed from {} to {} at leader {} (leader epoch {}){}", tp, current.isr(), change.newIsr(),
                current.leader(), current.leaderEpoch(), next.elr().isEmpty() ? "" : ", eligible leader replicas "
                        + next.elr());
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
