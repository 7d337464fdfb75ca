package io.sluice.server.controller;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.ConfigWriter;
import io.sluice.server.metadata.Listener;
import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.ProducerIdManager;
import io.sluice.server.metadata.TopicMetadata;
import io.sluice.server.zk.BrokerRegistrar;
import io.sluice.server.zk.EmbeddedZooKeeper;
import io.sluice.server.zk.ZkClients;
import io.sluice.server.zk.ZkConfigWriter;
import io.sluice.server.zk.ZkMetadataCache;
import io.sluice.server.zk.ZkProducerIdManager;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The broker's part in a ZooKeeper-coordinated cluster, started in two steps around the network:
 *
 * <pre>
 *   start(config)        embedded ZooKeeper (no zookeeper.connect) or connect; persistent paths and
 *                        /cluster/id; metadata cache loaded; topic admin, config writer, producer ids ready
 *   (broker binds its listeners, so that port 0 is resolved)
 *   register(listeners)  /brokers/ids/&lt;id&gt; with the advertised endpoints; controller joins the election;
 *                        returns once the metadata image shows this broker and a controller
 *   close()              controller resigns, broker deregisters, then cache, client, embedded server stop
 * </pre>
 *
 * <p>The embedded server keeps its data in {@code <first log dir>-zookeeper}, so a restart on the same
 * log dirs finds the same cluster id and topics. Thread-safe for the lifecycle calls.
 */
public final class ZkCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZkCluster.class);

    private final BrokerConfig config;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private EmbeddedZooKeeper embedded;
    private CuratorFramework zk;
    private ExecutorService zkWriter;
    private ZkMetadataCache metadataCache;
    private BrokerRegistrar registrar;
    private volatile Controller controller;
    private TopicAdmin topicAdmin;
    private ConfigWriter configWriter;
    private ProducerIdManager producerIdManager;
    private String clusterId;
    private String connectString;

    private ZkCluster(BrokerConfig config) {
        this.config = config;
    }

    public static ZkCluster start(BrokerConfig config) throws Exception {
        ZkCluster cluster = new ZkCluster(config);
        try {
            cluster.doStart();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private synchronized void doStart() throws Exception {
        String connect = config.zookeeperConnect();
        if (connect == null || connect.isBlank()) {
            embedded = new EmbeddedZooKeeper(EmbeddedZooKeeper.dataDirFor(config.logDirs().get(0)));
            resources.add(embedded);
            connect = embedded.connectString();
        }
        int sessionTimeoutMs = config.getInt(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS);
        Integer connectionTimeout = config.getInt(BrokerConfig.ZOOKEEPER_CONNECTION_TIMEOUT_MS);
        int connectionTimeoutMs = connectionTimeout == null ? sessionTimeoutMs : connectionTimeout;
        connectString = connect;
        long connectStart = System.nanoTime();
        zk = ZkClients.connect(connect, sessionTimeoutMs, connectionTimeoutMs);
        resources.add(zk);
        log.info("Connected to ZooKeeper at {} in {} ms", connect, (System.nanoTime() - connectStart) / 1_000_000);
        zkWriter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-zk-writer");
            t.setDaemon(true);
            return t;
        });
        resources.add(() -> {
            zkWriter.shutdown();
            zkWriter.awaitTermination(5, TimeUnit.SECONDS);
        });
        long pathsStart = System.nanoTime();
        // a previous session of this broker expires after the session timeout; a little more covers the server tick
        registrar = new BrokerRegistrar(zk, config.getInt(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS) * 3L / 2 + 2000);
        clusterId = registrar.ensurePathsAndClusterId();
        metadataCache = new ZkMetadataCache(zk);
        resources.add(metadataCache);
        long loadStart = System.nanoTime();
        metadataCache.start().get(connectionTimeoutMs, TimeUnit.MILLISECONDS);
        log.debug("Paths and cluster id in {} ms, metadata loaded in {} ms", (loadStart - pathsStart) / 1_000_000,
                (System.nanoTime() - loadStart) / 1_000_000);
        topicAdmin = new ZkTopicAdmin(zk, metadataCache, config, zkWriter);
        configWriter = new ZkConfigWriter(zk, metadataCache, zkWriter);
        ZkProducerIdManager producerIds = new ZkProducerIdManager(config.brokerId(), zk, zkWriter);
        producerIds.prefetch();
        producerIdManager = producerIds;
    }

    /**
     * Registers this broker with the advertised listeners (port 0 and empty hosts resolved against the
     * bound listeners) and the epoch its previous life shut down cleanly in (-1 after an unclean shutdown), starts the
     * controller, and waits briefly until the metadata image shows both.
     */
    public synchronized void register(List<Listener> boundListeners, long previousBrokerEpoch) throws Exception {
        BrokerRegistration registration = new BrokerRegistration(config.brokerId(),
                advertised(config.advertisedListeners(), boundListeners), config.getString(BrokerConfig.BROKER_RACK))
                .withPreviousEpoch(previousBrokerEpoch);
        registrar.register(registration);
        resources.add(registrar);
        controller = new Controller(config.brokerId(), zk, metadataCache, new Controller.ElectionConfig() {
            @Override
            public boolean uncleanLeaderElection(MetadataImage image, TopicMetadata topic) {
                String value = effective(image, topic, "unclean.leader.election.enable");
                return value == null ? config.getBoolean("unclean.leader.election.enable")
                        : Boolean.parseBoolean(value.strip());
            }

            @Override
            public int minInSyncReplicas(MetadataImage image, TopicMetadata topic) {
                String value = effective(image, topic, "min.insync.replicas");
                try {
                    return value == null ? config.getInt("min.insync.replicas") : Integer.parseInt(value.strip());
                } catch (NumberFormatException e) {
                    return config.getInt("min.insync.replicas"); // validated when written; never weaker than the default
                }
            }
        });
        resources.add(controller);
        controller.start();
        int brokerId = config.brokerId();
        try {
            metadataCache.await(image -> image.brokers().containsKey(brokerId) && image.controllerId() >= 0,
                    config.getInt(BrokerConfig.ZOOKEEPER_SESSION_TIMEOUT_MS)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("Broker {} does not see itself and a controller in the metadata yet; continuing", brokerId);
        }
    }

    /** A topic config as the topic overrides it, else as the cluster-wide dynamic default does; null for neither. */
    private static String effective(MetadataImage image, TopicMetadata topic, String key) {
        String value = topic.configOverrides().get(key);
        return value != null ? value : image.brokerConfigOverrides().getOrDefault(-1, Map.of()).get(key);
    }

    static List<Listener> advertised(List<Listener> advertised, List<Listener> bound) {
        List<Listener> result = new ArrayList<>();
        for (Listener l : advertised) {
            Listener resolved = l;
            if (l.port() == 0) {
                int port = bound.stream().filter(b -> b.name().equals(l.name())).mapToInt(Listener::port)
                        .findFirst().orElse(0);
                resolved = resolved.withPort(port);
            }
            if (resolved.host() == null || resolved.host().isEmpty()) {
                // Kafka advertises the canonical host name when a listener binds every interface
                resolved = new Listener(resolved.name(), resolved.securityProtocol(), canonicalHostName(),
                        resolved.port());
            }
            result.add(resolved);
        }
        return List.copyOf(result);
    }

    private static String canonicalHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
    }

    /** The ZooKeeper connect string in use (the embedded server's when there is no zookeeper.connect). */
    public String connectString() {
        return connectString;
    }

    public String clusterId() {
        return clusterId;
    }

    public ZkMetadataCache metadataCache() {
        return metadataCache;
    }

    public TopicAdmin topicAdmin() {
        return topicAdmin;
    }

    public ConfigWriter configWriter() {
        return configWriter;
    }

    public ProducerIdManager producerIdManager() {
        return producerIdManager;
    }

    /** The controller of this broker, active or not; null before {@link #register}. */
    public Controller controller() {
        return controller;
    }

    public MetadataImage image() {
        return metadataCache.image();
    }

    /** Stops in reverse start order: controller, registration, metadata, writer, client, embedded server. */
    @Override
    public synchronized void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("Error while stopping {}", resources.get(i).getClass().getSimpleName(), e);
            }
        }
        resources.clear();
    }
}
