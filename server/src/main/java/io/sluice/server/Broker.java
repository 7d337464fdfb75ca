package io.sluice.server;

import io.sluice.server.api.ApiHandler;
import io.sluice.server.api.AlterConfigsHandler;
import io.sluice.server.api.AlterPartitionHandler;
import io.sluice.server.api.ApiVersionsHandler;
import io.sluice.server.api.CreatePartitionsHandler;
import io.sluice.server.api.CreateTopicsHandler;
import io.sluice.server.api.DeleteTopicsHandler;
import io.sluice.server.api.DescribeClusterHandler;
import io.sluice.server.api.MetadataHandler;
import io.sluice.server.api.DescribeConfigsHandler;
import io.sluice.server.api.IncrementalAlterConfigsHandler;
import io.sluice.server.api.HandlerRegistry;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.DynamicConfigManager;
import io.sluice.server.config.ReplicationConfigs;
import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.Listener;
import io.sluice.server.controller.TopicAdmin;
import io.sluice.server.controller.ZkCluster;
import io.sluice.server.metadata.ConfigWriter;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.ProducerIdManager;
import io.sluice.server.network.NetworkServer;
import io.sluice.server.api.DeleteRecordsHandler;
import io.sluice.server.api.DescribeLogDirsHandler;
import io.sluice.server.api.DescribeProducersHandler;
import io.sluice.server.api.FetchHandler;
import io.sluice.server.api.InitProducerIdHandler;
import io.sluice.server.api.ListOffsetsHandler;
import io.sluice.server.api.OffsetForLeaderEpochHandler;
import io.sluice.server.api.ProduceHandler;
import io.sluice.server.api.DeleteGroupsHandler;
import io.sluice.server.api.DescribeGroupsHandler;
import io.sluice.server.api.FindCoordinatorHandler;
import io.sluice.server.api.HeartbeatHandler;
import io.sluice.server.api.JoinGroupHandler;
import io.sluice.server.api.LeaveGroupHandler;
import io.sluice.server.api.ListGroupsHandler;
import io.sluice.server.api.OffsetCommitHandler;
import io.sluice.server.api.OffsetDeleteHandler;
import io.sluice.server.api.OffsetFetchHandler;
import io.sluice.server.api.SyncGroupHandler;
import io.sluice.server.group.OffsetsTopic;
import io.sluice.coordinator.group.GroupConfig;
import io.sluice.coordinator.group.GroupCoordinator;
import io.sluice.server.config.TopicConfigs;
import io.sluice.server.fetch.FetchManager;
import io.sluice.server.fetch.FetchSessionCache;
import io.sluice.server.partition.ReplicaManager;
import io.sluice.server.replication.AlterPartitionClient;
import io.sluice.server.replication.ReplicaFetcherManager;
import io.sluice.storage.LogCleaner;
import io.sluice.storage.LogManager;
import org.apache.kafka.common.utils.Time;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Sluice broker: wires config, ZooKeeper, metadata, logs, handlers and network, starts them in
 * dependency order and stops them in reverse.
 *
 * <p>Lifecycle: {@link #startup()} once, then {@link #close()}. Thread-safe for those two calls.
 */
public final class Broker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private volatile List<Listener> boundListeners = List.of();
    private volatile ZkCluster zkCluster;
    private volatile ReplicaManager replicaManager;
    private volatile Runnable fatalErrorHandler = this::close;

    public Broker(BrokerConfig config) {
        this.config = config;
    }

    /**
     * Starts the broker. ZooKeeper (the embedded server, or the connection to an ensemble) and the log dirs
     * (loading, recovery after a crash) do not depend on each other and are the slowest steps, so they run
     * side by side; the handlers, the listeners and the registration follow, in that order.
     */
    public synchronized void startup() throws Exception {
        long start = System.nanoTime();
        StartupWarmUp.begin();
        CompletableFuture<ZkCluster> clusterStart = startZkClusterAsync();
        try {
            LogManager logManager = startLogManager();
            ZkCluster cluster = awaitZkCluster(clusterStart);
            // first to start, last to stop: every other component may still talk to ZooKeeper on its way out
            started.add(0, cluster);
            zkCluster = cluster;

            AtomicReference<HandlerRegistry> registry = new AtomicReference<>();
            List<ApiHandler<?>> handlers = new ArrayList<>();
            handlers.add(new ApiVersionsHandler(() -> registry.get().apiVersionTable()));
            addDataPath(cluster, logManager, handlers);
            handlers.add(new MetadataHandler(cluster.metadataCache(), cluster.topicAdmin(), config));
            handlers.add(new CreateTopicsHandler(cluster.topicAdmin(), cluster.metadataCache(), config));
            handlers.add(new DeleteTopicsHandler(cluster.topicAdmin(), config));
            handlers.add(new CreatePartitionsHandler(cluster.topicAdmin()));
            handlers.add(new DescribeClusterHandler(cluster.metadataCache()));
            handlers.add(new AlterPartitionHandler(cluster.metadataCache(), cluster::controller));
            DynamicConfigManager dynamicConfigs = new DynamicConfigManager(config,
                    cluster.metadataCache()::image, cluster.configWriter());
            handlers.add(new DescribeConfigsHandler(config, cluster.metadataCache()::image));
            handlers.add(new AlterConfigsHandler(dynamicConfigs));
            handlers.add(new IncrementalAlterConfigsHandler(dynamicConfigs));
            registry.set(new HandlerRegistry(handlers));

            NetworkServer network = new NetworkServer(registry.get(), new NetworkServer.Settings(
                    config.socketRequestMaxBytes(), config.connectionsMaxIdleMs(), config.numNetworkThreads(),
                    config.queuedMaxRequests(), config.queuedMaxRequestBytes()));
            started.add(network);
            boundListeners = network.bind(config.listeners());
            // the markers a clean shutdown writes name the registration they end (KIP-966's PreviousBrokerEpoch)
            int brokerId = config.brokerId();
            cluster.metadataCache().addListener((previous, current) -> {
                BrokerRegistration self = current.brokers().get(brokerId);
                if (self != null) {
                    logManager.setBrokerEpoch(self.epoch());
                }
            });
            // registered only now, so that the advertised endpoints carry the bound ports
            cluster.register(boundListeners, logManager.previousBrokerEpoch());
        } catch (Exception | Error e) {
            if (zkCluster == null) {
                closeWhenStarted(clusterStart);
            }
            close();
            throw e;
        }
        log.info("Sluice broker {} started in {} ms, listening on {}", config.brokerId(),
                (System.nanoTime() - start) / 1_000_000, boundListeners);
    }

    /** ZooKeeper: the embedded server without {@code zookeeper.connect}, cluster id, metadata cache, topic admin. */
    private CompletableFuture<ZkCluster> startZkClusterAsync() {
        CompletableFuture<ZkCluster> future = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                future.complete(ZkCluster.start(config));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }, "sluice-zk-startup");
        thread.setDaemon(true);
        thread.start();
        return future;
    }

    private static ZkCluster awaitZkCluster(CompletableFuture<ZkCluster> clusterStart) throws Exception {
        try {
            return clusterStart.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** A ZooKeeper start still running when startup fails elsewhere is closed once it finishes. */
    private static void closeWhenStarted(CompletableFuture<ZkCluster> clusterStart) {
        clusterStart.thenAccept(cluster -> {
            try {
                cluster.close();
            } catch (RuntimeException e) {
                log.warn("Error while stopping ZooKeeper after a failed start", e);
            }
        });
    }

    /** Kafka's default {@code num.io.threads}: appends and reads run on these, never on an event loop. */
    private static final int IO_THREADS = 8;

    /**
     * The logs of {@code log.dirs}, loaded (and recovered after an unclean shutdown). Stopped with the broker only
     * once loaded: closing writes the checkpoints and the clean-shutdown marker, which after a failed load would
     * skip the recovery that the logs not loaded yet still need.
     */
    /**
     * What happens when the broker cannot go on (every log dir has failed); by default it closes. The command line
     * exits with status 1, as Kafka halts.
     */
    public void onFatalError(Runnable handler) {
        this.fatalErrorHandler = handler;
    }

    private LogManager startLogManager() throws IOException {
        LogManager logManager = new LogManager(config.logDirs(), Time.SYSTEM);
        logManager.failureChannel().addListener(failed -> {
            if (logManager.liveLogDirs().isEmpty()) {
                log.error("Shutdown broker because all log dirs in {} have failed", config.logDirs());
                // not on the failing log's thread, which holds that log's lock
                Thread fatal = new Thread(fatalErrorHandler, "sluice-fatal");
                fatal.setDaemon(false);
                fatal.start();
            }
        });
        logManager.startup();
        started.add(logManager);
        return logManager;
    }

    /**
     * The data path over the started logs: a ReplicaManager that follows the
     * metadata image (creating, leading, reconfiguring and deleting logs), and the Produce, Fetch,
     * ListOffsets, DeleteRecords, InitProducerId and DescribeProducers handlers.
     */
    private void addDataPath(ZkCluster cluster, LogManager logManager, List<ApiHandler<?>> handlers) {
        // Retention, producer-id expiration, flush-by-time and checkpoints, every log.retention.check.interval.ms; the
        // leaders' ISR expiration too.
        ScheduledExecutorService logScheduler = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("sluice-log-scheduler", true));
        started.add(logScheduler::shutdownNow);
        logManager.startRetention(logScheduler, config.getLong("log.retention.check.interval.ms"));
        if (config.getBoolean("log.cleaner.enable")) {
            // compaction of cleanup.policy=compact logs; the cleaner's threads stop with the log manager
            logManager.startCleaner(new LogCleaner.Config(config.getInt("log.cleaner.threads"),
                    config.getLong("log.cleaner.backoff.ms"), config.getLong("log.cleaner.dedupe.buffer.size"),
                    config.getInt("log.cleaner.io.buffer.size"), config.getDouble("log.cleaner.io.buffer.load.factor")));
        }
        ReplicaManager replicaManager = new ReplicaManager(config.brokerId(), logManager,
                (image, topic) -> TopicConfigs.logConfig(config,
                        TopicConfigs.dynamicBrokerConfigs(image.brokerConfigOverrides(), config.brokerId()),
                        topic.configOverrides()),
                IO_THREADS);
        started.add(replicaManager);
        this.replicaManager = replicaManager;
        MetadataCache metadata = cluster.metadataCache();
        startReplication(replicaManager, metadata, logScheduler);
        metadata.addListener(replicaManager);
        // max.incremental.fetch.session.cache.slots (Kafka's default 1000); sessions unused for 120 s are stale.
        FetchManager fetchManager = new FetchManager(Time.SYSTEM,
                new FetchSessionCache(FetchSessionCache.DEFAULT_MAX_ENTRIES, FetchSessionCache.DEFAULT_EVICTION_MS));
        handlers.add(new ProduceHandler(metadata, replicaManager));
        handlers.add(new FetchHandler(metadata, replicaManager, fetchManager));
        handlers.add(new ListOffsetsHandler(metadata, replicaManager));
        handlers.add(new DeleteRecordsHandler(metadata, replicaManager));
        handlers.add(new DescribeProducersHandler(metadata, replicaManager));
        handlers.add(new OffsetForLeaderEpochHandler(metadata, replicaManager));
        handlers.add(new DescribeLogDirsHandler(logManager, replicaManager));
        handlers.add(new InitProducerIdHandler(cluster.producerIdManager()));
        addGroupCoordinator(cluster, replicaManager, handlers);
    }

    /**
     * Followers fetching from their leaders and leaders sending ISR changes to the controller, both over the
     * inter-broker listener; connected before the first image is applied, stopped before the ReplicaManager.
     */
    private void startReplication(ReplicaManager replicaManager, MetadataCache metadata,
                                  ScheduledExecutorService scheduler) {
        String listener = config.interBrokerListenerName();
        int socketTimeoutMs = config.getInt(ReplicationConfigs.REPLICA_SOCKET_TIMEOUT_MS);
        AlterPartitionClient alterPartition = new AlterPartitionClient(config.brokerId(), listener, socketTimeoutMs,
                metadata::image);
        started.add(alterPartition);
        ReplicaFetcherManager fetchers = new ReplicaFetcherManager(config.brokerId(), listener,
                config.getInt(ReplicationConfigs.REPLICA_FETCH_WAIT_MAX_MS),
                config.getInt(ReplicationConfigs.REPLICA_FETCH_MIN_BYTES),
                config.getInt(ReplicationConfigs.REPLICA_FETCH_MAX_BYTES),
                config.getInt(ReplicationConfigs.REPLICA_FETCH_RESPONSE_MAX_BYTES),
                config.getInt(ReplicationConfigs.REPLICA_FETCH_BACKOFF_MS), socketTimeoutMs,
                config.getInt(ReplicationConfigs.NUM_REPLICA_FETCHERS), metadata::image);
        started.add(fetchers);
        replicaManager.startReplication(alterPartition, fetchers,
                config.getLong(ReplicationConfigs.REPLICA_LAG_TIME_MAX_MS), scheduler);
    }

    /**
     * The group coordinator over {@code __consumer_offsets}: it follows the leadership of the offsets partitions
     * (registered after the ReplicaManager, so a partition is led locally before it is loaded), and serves
     * FindCoordinator, the classic group APIs and the offset APIs.
     */
    private void addGroupCoordinator(ZkCluster cluster, ReplicaManager replicaManager, List<ApiHandler<?>> handlers) {
        MetadataCache metadata = cluster.metadataCache();
        GroupConfig groupConfig = GroupConfig.from(config.originals());
        OffsetsTopic offsetsTopic = new OffsetsTopic(config.brokerId(), replicaManager, cluster.topicAdmin(), metadata,
                groupConfig);
        GroupCoordinator coordinator = new GroupCoordinator(groupConfig, Time.SYSTEM, offsetsTopic,
                offsetsTopic::numPartitions);
        started.add(coordinator);
        offsetsTopic.setCoordinator(coordinator);
        metadata.addListener(offsetsTopic);
        handlers.add(new FindCoordinatorHandler(metadata, offsetsTopic, coordinator));
        handlers.add(new JoinGroupHandler(coordinator));
        handlers.add(new SyncGroupHandler(coordinator));
        handlers.add(new HeartbeatHandler(coordinator));
        handlers.add(new LeaveGroupHandler(coordinator));
        handlers.add(new OffsetCommitHandler(metadata, coordinator));
        handlers.add(new OffsetFetchHandler(metadata, coordinator));
        handlers.add(new OffsetDeleteHandler(metadata, coordinator));
        handlers.add(new DescribeGroupsHandler(coordinator));
        handlers.add(new ListGroupsHandler(coordinator));
        handlers.add(new DeleteGroupsHandler(coordinator));
    }

    /** The partitions this broker hosts and the data path through them. */
    public ReplicaManager replicaManager() {
        return replicaManager;
    }

    public BrokerConfig config() {
        return config;
    }

    /** The listeners with the ports actually bound (port 0 resolved). */
    public List<Listener> boundListeners() {
        return boundListeners;
    }

    /** The metadata image holder every component reads; images come from ZooKeeper. */
    public MetadataCache metadataCache() {
        return zkCluster.metadataCache();
    }

    public TopicAdmin topicAdmin() {
        return zkCluster.topicAdmin();
    }

    public ConfigWriter configWriter() {
        return zkCluster.configWriter();
    }

    public ProducerIdManager producerIdManager() {
        return zkCluster.producerIdManager();
    }

    /** The cluster id from {@code /cluster/id}, created by the first broker of the cluster. */
    public String clusterId() {
        return zkCluster.clusterId();
    }

    /** The ZooKeeper side of this broker: controller, registration, metadata. */
    public ZkCluster zkCluster() {
        return zkCluster;
    }

    /** The port of the first listener, for tests and tools. */
    public int port() {
        return boundListeners.get(0).port();
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("Error while stopping {}", started.get(i).getClass().getSimpleName(), e);
            }
        }
        started.clear();
    }
}
