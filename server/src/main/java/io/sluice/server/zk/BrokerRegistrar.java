package io.sluice.server.zk;

import io.sluice.server.metadata.BrokerRegistration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.Uuid;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The broker's presence in ZooKeeper: Kafka's persistent paths and {@code /cluster/id} at startup, and the
 * ephemeral {@code /brokers/ids/<id>} registration, re-created after a session expiry (as Kafka's
 * {@code KafkaZkClient.registerBroker} on a new session) and deleted on {@link #close()}.
 *
 * <p>Thread-safe: the registration is written from the caller's thread at startup and from Curator's
 * connection-state thread after a reconnect.
 */
public final class BrokerRegistrar implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerRegistrar.class);

    private final CuratorFramework zk;
    private final long previousSessionWaitMs;
    private final ConnectionStateListener reconnect = this::onConnectionState;
    private volatile BrokerRegistration registration;

    /**
     * @param previousSessionWaitMs how long a registration left by another session (this broker's previous life,
     *                              killed before its session expired) is waited for to disappear: a little more than
     *                              {@code zookeeper.session.timeout.ms}
     */
    public BrokerRegistrar(CuratorFramework zk, long previousSessionWaitMs) {
        this.zk = zk;
        this.previousSessionWaitMs = previousSessionWaitMs;
    }

    /**
     * Creates Kafka's persistent paths that are missing and {@code /cluster/id} if absent, in one
     * transaction, and returns the cluster id.
     */
    public String ensurePathsAndClusterId() throws Exception {
        for (int attempt = 0; ; attempt++) {
            String existing = readClusterId();
            TreeSet<String> missing = new TreeSet<>(Comparator.comparingInt(String::length)
                    .thenComparing(Comparator.naturalOrder()));
            List<String> wanted = new ArrayList<>(ZkData.PERSISTENT_PATHS);
            if (existing == null) {
                wanted.add("/cluster");
            }
            for (String path : wanted) {
                for (String p = path; p.lastIndexOf('/') >= 0 && !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
                    if (!missing.contains(p) && zk.checkExists().forPath(p) == null) {
                        missing.add(p);
                    }
                }
            }
            List<CuratorOp> ops = new ArrayList<>();
            for (String path : missing) {
                ops.add(zk.transactionOp().create().forPath(path, new byte[0]));
            }
            String clusterId = existing != null ? existing : Uuid.randomUuid().toString();
            if (existing == null) {
                ops.add(zk.transactionOp().create().forPath(ZkData.CLUSTER_ID, ZkData.encodeClusterId(clusterId)));
            }
            if (ops.isEmpty()) {
                return clusterId;
            }
            try {
                zk.transaction().forOperations(ops);
                if (existing == null) {
                    log.info("Created cluster id {}", clusterId);
                }
                return clusterId;
            } catch (KeeperException.NodeExistsException raced) {
                if (attempt >= 3) {
                    throw raced; // another broker keeps creating the same paths; give up
                }
            }
        }
    }

    private String readClusterId() throws Exception {
        try {
            return ZkData.decodeClusterId(zk.getData().forPath(ZkData.CLUSTER_ID));
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    /** Creates the ephemeral {@code /brokers/ids/<id>}; fails if another session holds it. */
    public void register(BrokerRegistration broker) throws Exception {
        this.registration = broker;
        createRegistration(broker);
        zk.getConnectionStateListenable().addListener(reconnect);
        log.info("Registered broker {} at path {} with addresses: {}", broker.id(), ZkData.brokerPath(broker.id()),
                broker.endpoints());
    }

    /**
     * Creates the registration. When another session holds it, this broker may be restarting faster than ZooKeeper
     * expires its previous session (kill -9, then start): it waits for that node to go, as Kafka's test suites wait
     * for a deregistration before restarting, and never deletes it (it might be another live broker with the same
     * id). Still there after the wait, it is another broker: startup fails naming the id.
     */
    private void createRegistration(BrokerRegistration broker) throws Exception {
        String path = ZkData.brokerPath(broker.id());
        long deadline = System.nanoTime() + previousSessionWaitMs * 1_000_000L;
        boolean waitLogged = false;
        while (true) {
            try {
                Stat created = new Stat();
                zk.create().storingStatIn(created).creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(path, ZkData.encodeBroker(broker, System.currentTimeMillis()));
                // a registration this process makes again after its session expired ends one in which nothing was
                // lost: its epoch is the previous broker epoch of the next one
                registration = broker.withPreviousEpoch(created.getCzxid());
                return;
            } catch (KeeperException.NodeExistsException e) {
                Stat stat = zk.checkExists().forPath(path);
                long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
                if (stat != null && stat.getEphemeralOwner() == session) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Broker id " + broker.id() + " is already registered at " + path
                            + " by another ZooKeeper session (another broker with the same broker.id; a previous"
                            + " session of this broker would have expired after zookeeper.session.timeout.ms)", e);
                }
                if (!waitLogged) {
                    log.info("Broker id {} is still registered by a previous ZooKeeper session (session 0x{}); waiting"
                                    + " up to {} ms for it to expire", broker.id(),
                            stat == null ? "?" : Long.toHexString(stat.getEphemeralOwner()), previousSessionWaitMs);
                    waitLogged = true;
                }
                Thread.sleep(250);
            }
        }
    }

    private void onConnectionState(CuratorFramework client, ConnectionState state) {
        BrokerRegistration broker = registration;
        if (state != ConnectionState.RECONNECTED || broker == null) {
            return;
        }
        try {
            if (zk.checkExists().forPath(ZkData.brokerPath(broker.id())) == null) {
                createRegistration(broker);
                log.info("Re-registered broker {} after a new ZooKeeper session", broker.id());
            }
        } catch (Exception e) {
            log.error("Could not re-register broker {} after reconnecting to ZooKeeper", broker.id(), e);
        }
    }

    @Override
    public void close() {
        zk.getConnectionStateListenable().removeListener(reconnect);
        BrokerRegistration broker = registration;
        registration = null;
        if (broker == null) {
            return;
        }
        try {
            zk.delete().forPath(ZkData.brokerPath(broker.id()));
        } catch (KeeperException.NoNodeException gone) {
            // the session already ended
        } catch (Exception e) {
            log.warn("Could not deregister broker {}", broker.id(), e);
        }
    }
}
