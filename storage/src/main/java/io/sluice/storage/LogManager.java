package io.sluice.storage;

import io.sluice.storage.checkpoint.AtomicFiles;
import io.sluice.storage.checkpoint.MetaProperties;
import io.sluice.storage.checkpoint.OffsetCheckpointFile;
import io.sluice.storage.checkpoint.PartitionMetadataFile;
import io.sluice.storage.log.LogSegment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The partition logs of this broker's log dirs, as Kafka's {@code LogManager}. Layout of each log dir:
 * <pre>
 * meta.properties                      version=0, broker.id, cluster.id
 * recovery-point-offset-checkpoint     offsets below which each log is flushed
 * log-start-offset-checkpoint          each log's start offset (DeleteRecords, retention)
 * replication-offset-checkpoint        each log's high watermark
 * cleaner-offset-checkpoint            each compacted log's first dirty offset
 * .kafka_cleanshutdown                 present only after a clean close: recovery is skipped at the next start
 * &lt;topic&gt;-&lt;partition&gt;/                one {@link PartitionLog} each
 * &lt;topic&gt;-&lt;partition&gt;.&lt;uuid&gt;-delete/  a deleted partition waiting for removal
 * </pre>
 * New partitions go to the log dir holding the fewest. Logs loaded at {@link #startup()} use the default config
 * given to the constructor until {@link #getOrCreate} (or {@link PartitionLog#updateConfig}) supplies theirs.
 *
 * <p>Thread-safety: all methods are thread-safe; deletion of logs, and the bookkeeping of their creation, are
 * serialized by this object's monitor; the files of new logs are written outside it, so different partitions are
 * created concurrently. A private single-thread scheduler removes {@code .deleted} files after {@code file.delete.delay.ms}.
 */
public final class LogManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    public static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";
    private static final String DELETE_DIR_SUFFIX = "-delete";

    private final List<Path> logDirs;
    private final Time time;
    private final LogConfig defaultConfig;
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    /** Logs whose files are being written by {@link #getOrCreate}, with their dirs; guarded by this. */
    private final Map<TopicPartition, Path> creating = new HashMap<>();
    private final ScheduledExecutorService deleteScheduler;
    private final List<ScheduledFuture<?>> backgroundTasks = new ArrayList<>();
    private final LogDirFailureChannel failureChannel = new LogDirFailureChannel();
    private volatile boolean closed;
    /** The broker epoch in each log dir's clean-shutdown marker at startup; a dir without one is absent. */
    private final Map<Path, Long> cleanShutdownEpochs = new HashMap<>();
    /** The broker epoch written into the markers at {@link #close()}: the broker's latest registration. */
    private volatile long brokerEpoch = -1L;
    private LogCleaner cleaner;

    public LogManager(List<Path> logDirs, Time time) {
        this(logDirs, time, LogConfig.defaults());
    }

    public LogManager(List<Path> logDirs, Time time, LogConfig defaultConfig) {
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("at least one log dir is required");
        }
        this.logDirs = List.copyOf(logDirs);
        this.time = time;
        this.defaultConfig = defaultConfig;
        this.deleteScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-log-delete");
            t.setDaemon(true);
            return t;
        });
        failureChannel.addListener(this::stopServing);
    }

    /** The dirs that have failed since startup; listeners learn of each new one. */
    public LogDirFailureChannel failureChannel() {
        return failureChannel;
    }

    /** The log dirs that have not failed. */
    public List<Path> liveLogDirs() {
        return logDirs.stream().filter(dir -> !failureChannel.isOffline(dir)).toList();
    }

    private void onStorageError(PartitionLog log, Exception cause) {
        failureChannel.markOffline(log.dir().getParent());
    }

    /** As Kafka's {@code handleLogDirFailure}: every log of the failed dir goes offline with it. */
    private void stopServing(Path failedDir) {
        List<TopicPartition> stopped = new ArrayList<>();
        for (PartitionLog log : logs.values()) {
            if (log.dir().getParent().toAbsolutePath().normalize().equals(failedDir)) {
                log.markOffline();
                stopped.add(log.topicPartition());
            }
        }
        LOG.error("Stopped serving replicas in dir {}: {}", failedDir, stopped);
    }

    private PartitionLog watched(PartitionLog log) {
        log.setStorageErrorListener(this::onStorageError);
        return log;
    }

    /**
     * The broker epoch the previous life of this broker shut down cleanly in, as Kafka's
     * {@code readBrokerEpochFromCleanShutdownFiles}: -1 unless every log dir is live and had a clean-shutdown marker,
     * all with the same epoch. Valid after {@link #startup()}.
     */
    public synchronized long previousBrokerEpoch() {
        if (cleanShutdownEpochs.size() != logDirs.size() || liveLogDirs().size() != logDirs.size()) {
            return -1L;
        }
        Set<Long> epochs = new HashSet<>(cleanShutdownEpochs.values());
        return epochs.size() == 1 ? epochs.iterator().next() : -1L;
    }

    /** The broker epoch (its registration's) that {@link #close()} writes into the clean-shutdown markers. */
    public void setBrokerEpoch(long brokerEpoch) {
        this.brokerEpoch = brokerEpoch;
    }

    /** The {@code brokerEpoch} of a marker, -1 when it has none or cannot be read (Sluice wrote -1 before KIP-966). */
    private static long readBrokerEpoch(Path marker) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"brokerEpoch\"\\s*:\\s*(-?\\d+)")
                    .matcher(Files.readString(marker));
            return m.find() ? Long.parseLong(m.group(1)) : -1L;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not read the broker epoch in {}: {}", marker, e.toString());
            return -1L;
        }
    }

    /**
     * Creates the log dirs and loads every {@code <topic>-<partition>} dir in them. Without the clean-shutdown marker
     * every log is recovered from its recovery point. Directories left by {@link #delete} are removed.
     */
    public synchronized void startup() throws IOException {
        for (Path logDir : logDirs) {
            try {
                load(logDir);
            } catch (IOException | UncheckedIOException | KafkaStorageException e) {
                // as Kafka: a dir that cannot be loaded is offline, and the broker runs on the others
                LOG.error("Error while loading log dir {}", logDir, e);
                failureChannel.markOffline(logDir);
            }
        }
        if (liveLogDirs().isEmpty()) {
            throw new IOException("No log dir of " + logDirs + " could be loaded");
        }
    }

    private void load(Path logDir) throws IOException {
        boolean existed = Files.isDirectory(logDir);
        Files.createDirectories(logDir);
        Path marker = logDir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean cleanShutdown = Files.exists(marker);
        if (cleanShutdown) {
            cleanShutdownEpochs.put(logDir, readBrokerEpoch(marker));
        }
        Map<TopicPartition, Long> recoveryPoints = checkpoint(logDir, OffsetCheckpointFile.RECOVERY_POINT).read();
        Map<TopicPartition, Long> startOffsets = checkpoint(logDir, OffsetCheckpointFile.LOG_START_OFFSET).read();
        Map<TopicPartition, Long> highWatermarks = checkpoint(logDir, OffsetCheckpointFile.REPLICATION_OFFSET).read();
        Map<TopicPartition, Long> cleanerOffsets = checkpoint(logDir, CLEANER_OFFSET_CHECKPOINT).read();
        List<Path> children;
        try (Stream<Path> list = Files.list(logDir)) {
            children = list.filter(Files::isDirectory).sorted().toList();
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (name.endsWith(DELETE_DIR_SUFFIX)) {
                deleteRecursively(child);
                continue;
            }
            Optional<TopicPartition> tp = parseTopicPartition(name);
            if (tp.isEmpty()) {
                LOG.warn("Ignoring unexpected directory {} in log dir {}", name, logDir);
                continue;
            }
            PartitionLog.Checkpoints checkpoints = new PartitionLog.Checkpoints(
                    recoveryPoints.getOrDefault(tp.get(), 0L), startOffsets.getOrDefault(tp.get(), 0L),
                    highWatermarks.getOrDefault(tp.get(), 0L));
            Uuid topicId = PartitionMetadataFile.read(child).orElse(null);
            PartitionLog log = watched(PartitionLog.load(tp.get(), topicId, child, defaultConfig, time,
                    cleanShutdown, checkpoints, this::deleteLater));
            log.setFirstDirtyOffset(cleanerOffsets.getOrDefault(tp.get(), 0L));
            if (logs.putIfAbsent(tp.get(), log) != null) {
                throw new IllegalStateException("Duplicate log directories for " + tp.get() + " in " + logDirs);
            }
        }
        // From now on a crash is unclean until the next close writes the marker again.
        Files.deleteIfExists(marker);
        LOG.info("Loaded log dir {} ({})", logDir, !existed ? "new" : cleanShutdown ? "clean shutdown" : "unclean shutdown");
    }

    /**
     * The log of {@code tp}, created with {@code config} (and {@code partition.metadata} holding {@code topicId}) when
     * absent. An existing log gets {@code config}.
     *
     * @throws InconsistentTopicIdException when the existing log belongs to another topic id
     */
    public PartitionLog getOrCreate(TopicPartition tp, Uuid topicId, LogConfig config) {
        Path dir;
        synchronized (this) {
            PartitionLog existing;
            while (true) {
                checkOpen();
                existing = logs.get(tp);
                if (existing != null || !creating.containsKey(tp)) {
                    break;
                }
                awaitCreations();
            }
            if (existing != null) {
                return adopt(existing, tp, topicId, config);
            }
            dir = pickLogDir().resolve(tp.topic() + "-" + tp.partition());
            creating.put(tp, dir);
        }
        // The files of a new log are written and fsynced outside the monitor, so that the partitions of a new topic
        // can be created side by side (ReplicaManager does, for the 50 of __consumer_offsets).
        PartitionLog log = null;
        boolean kept = false;
        boolean newDir = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
            PartitionMetadataFile.write(dir, topicId);
            log = watched(PartitionLog.load(tp, topicId, dir, config, time, true, PartitionLog.Checkpoints.NONE,
                    this::deleteLater));
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException || e instanceof UncheckedIOException) {
                failureChannel.markOffline(dir.getParent());
            }
            // nothing half-made stays behind: with several log dirs a retry may pick another dir, and two dirs of
            // one partition would stop the next start
            if (newDir) {
                deleteQuietly(dir);
            }
            if (e instanceof RuntimeException r && !(e instanceof UncheckedIOException)) {
                throw r;
            }
            throw new KafkaStorageException("Could not create the log of " + tp, e);
        } finally {
            synchronized (this) {
                creating.remove(tp);
                if (log != null && !closed) {
                    logs.put(tp, log);
                    kept = true;
                }
                notifyAll();
            }
        }
        if (!kept) {
            log.close();
            throw new KafkaStorageException("The log manager was closed while the log of " + tp + " was created");
        }
        LOG.info("Created log for {} in {}", tp, dir);
        return log;
    }

    private PartitionLog adopt(PartitionLog existing, TopicPartition tp, Uuid topicId, LogConfig config) {
        try {
            if (existing.topicId() == null) {
                PartitionMetadataFile.write(existing.dir(), topicId);
                existing.setTopicId(topicId);
            } else if (!existing.topicId().equals(topicId)) {
                throw new InconsistentTopicIdException("The log of " + tp + " has topic id " + existing.topicId()
                        + " but " + topicId + " was given");
            }
            existing.updateConfig(config);
            return existing;
        } catch (IOException | UncheckedIOException e) {
            throw new KafkaStorageException("Could not create the log of " + tp, e);
        }
    }

    private void awaitCreations() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaStorageException("Interrupted while another thread created a log");
        }
    }

    private Path pickLogDir() {
        List<Path> live = liveLogDirs();
        if (live.isEmpty()) {
            throw new KafkaStorageException("Every log dir of " + logDirs + " is offline");
        }
        Map<Path, Integer> counts = new HashMap<>();
        live.forEach(d -> counts.put(d, 0));
        for (PartitionLog log : logs.values()) {
            counts.computeIfPresent(log.dir().getParent(), (d, n) -> n + 1);
        }
        for (Path dir : creating.values()) {
            counts.computeIfPresent(dir.getParent(), (d, n) -> n + 1);
        }
        return live.stream().min(Comparator.comparing(counts::get)).orElseThrow();
    }

    public Optional<PartitionLog> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Collection<PartitionLog> all() {
        return List.copyOf(logs.values());
    }

    /**
     * Deletes the log of {@code tp}: closes it, renames its dir to {@code <topic>-<partition>.<uuid>-delete} (as
     * Kafka) and removes it. Does nothing when there is no such log.
     */
    public synchronized void delete(TopicPartition tp) {
        while (creating.containsKey(tp)) {
            awaitCreations();
        }
        PartitionLog log = logs.remove(tp);
        if (log == null) {
            return;
        }
        log.close();
        Path renamed = log.dir().resolveSibling(tp.topic() + "-" + tp.partition() + "."
                + UUID.randomUUID().toString().replace("-", "") + DELETE_DIR_SUFFIX);
        try {
            Files.move(log.dir(), renamed);
            AtomicFiles.fsyncDirectory(renamed.getParent());
            deleteRecursively(renamed);
            LOG.info("Deleted log of {}", tp);
        } catch (IOException e) {
            throw new KafkaStorageException("Could not delete the log of " + tp, e);
        }
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    /** Writes {@code meta.properties} (version 0, ZooKeeper mode) in every log dir. */
    public void writeMetaProperties(int brokerId, String clusterId) throws IOException {
        for (Path logDir : logDirs) {
            Files.createDirectories(logDir);
            new MetaProperties(brokerId, clusterId).write(logDir);
        }
    }

    /** The {@code meta.properties} of the first log dir that has one. */
    public Optional<MetaProperties> readMetaProperties() throws IOException {
        for (Path logDir : logDirs) {
            Optional<MetaProperties> props = MetaProperties.read(logDir);
            if (props.isPresent()) {
                return props;
            }
        }
        return Optional.empty();
    }

    /**
     * Schedules Kafka's background work on {@code scheduler}: retention and producer-id expiration every
     * {@code checkIntervalMs} ({@code log.retention.check.interval.ms}, default 300000), and flush-by-time plus the
     * three checkpoint files every {@code min(checkIntervalMs, 60000)}.
     */
    public synchronized void startRetention(ScheduledExecutorService scheduler, long checkIntervalMs) {
        checkOpen();
        backgroundTasks.add(scheduler.scheduleWithFixedDelay(this::runRetention, checkIntervalMs, checkIntervalMs,
                TimeUnit.MILLISECONDS));
        long checkpointMs = Math.min(checkIntervalMs, 60_000L);
        backgroundTasks.add(scheduler.scheduleWithFixedDelay(() -> {
            all().forEach(PartitionLog::maybeFlushByTime);
            checkpointQuietly();
        }, checkpointMs, checkpointMs, TimeUnit.MILLISECONDS));
    }

    /** Kafka's file of each compacted log's first dirty offset, at the log dir root. */
    public static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";

    /**
     * Starts the log cleaner ({@code log.cleaner.enable}) for the logs with {@code cleanup.policy} compact. Without it
     * compacted logs only grow, as in Kafka.
     */
    public synchronized LogCleaner startCleaner(LogCleaner.Config config) {
        checkOpen();
        if (cleaner == null) {
            cleaner = new LogCleaner(config, time, this::all);
            cleaner.startup();
        }
        return cleaner;
    }

    /** One retention pass over every log (what the scheduled task runs). Returns the number of segments deleted. */
    public int runRetention() {
        int deleted = 0;
        for (PartitionLog log : all()) {
            try {
                deleted += log.deleteOldSegments();
                log.removeExpiredProducers(PRODUCER_ID_EXPIRATION_MS);
            } catch (RuntimeException e) {
                LOG.error("Retention failed for {}", log.topicPartition(), e);
            }
        }
        if (deleted > 0) {
            checkpointQuietly();
        }
        return deleted;
    }

    /** Kafka's {@code producer.id.expiration.ms} default. */
    private static final long PRODUCER_ID_EXPIRATION_MS = 86_400_000L;

    /** Writes the recovery point, log start offset and high watermark checkpoints of every live log dir. */
    public synchronized void checkpoint() throws IOException {
        for (Path logDir : liveLogDirs()) {
            Map<TopicPartition, Long> recovery = new HashMap<>();
            Map<TopicPartition, Long> start = new HashMap<>();
            Map<TopicPartition, Long> hw = new HashMap<>();
            Map<TopicPartition, Long> cleaned = new HashMap<>();
            for (PartitionLog log : logs.values()) {
                if (!log.dir().getParent().equals(logDir) || log.isOffline()) {
                    continue;
                }
                recovery.put(log.topicPartition(), log.recoveryPoint());
                start.put(log.topicPartition(), log.logStartOffset());
                hw.put(log.topicPartition(), log.highWatermark());
                if (log.config().compact()) {
                    cleaned.put(log.topicPartition(), log.firstDirtyOffset());
                }
            }
            checkpoint(logDir, OffsetCheckpointFile.RECOVERY_POINT).write(recovery);
            checkpoint(logDir, OffsetCheckpointFile.LOG_START_OFFSET).write(start);
            checkpoint(logDir, OffsetCheckpointFile.REPLICATION_OFFSET).write(hw);
            checkpoint(logDir, CLEANER_OFFSET_CHECKPOINT).write(cleaned);
        }
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (IOException | RuntimeException e) {
            LOG.error("Failed to write offset checkpoints in {}", logDirs, e);
        }
    }

    /** Flushes and closes every log, writes the checkpoints, then the clean-shutdown marker. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        // logs being created are finished first, so that the checkpoints and the clean-shutdown marker cover them
        while (!creating.isEmpty()) {
            awaitCreations();
        }
        backgroundTasks.forEach(t -> t.cancel(false));
        if (cleaner != null) {
            cleaner.close();
        }
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                LOG.error("Failed to close the log of {}", log.topicPartition(), e);
                failureChannel.markOffline(log.dir().getParent());
            }
        }
        try {
            checkpoint();
            // a failed dir gets no marker: its logs are recovered at the next start
            for (Path logDir : liveLogDirs()) {
                AtomicFiles.write(logDir.resolve(CLEAN_SHUTDOWN_FILE),
                        "{\"version\":0,\"brokerEpoch\":" + brokerEpoch + "}");
            }
        } catch (IOException e) {
            LOG.error("Failed to write checkpoints at shutdown of {}", logDirs, e);
        }
        closed = true;
        deleteScheduler.shutdown();
        try {
            // files already renamed to .deleted are removed at the next startup if the delay has not passed
            deleteScheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logs.clear();
    }

    private void deleteLater(LogSegment segment, long delayMs) {
        Runnable delete = () -> {
            try {
                segment.deleteIfExists();
            } catch (IOException e) {
                LOG.warn("Could not delete {}", segment, e);
            }
        };
        if (delayMs <= 0) {
            delete.run();
        } else {
            try {
                deleteScheduler.schedule(delete, delayMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: LogLoader removes .deleted files at the next start
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The log manager is closed");
        }
    }

    private static OffsetCheckpointFile checkpoint(Path logDir, String name) {
        return new OffsetCheckpointFile(logDir.resolve(name));
    }

    /** Parses {@code <topic>-<partition>}; the topic may itself contain '-'. */
    static Optional<TopicPartition> parseTopicPartition(String dirName) {
        int dash = dirName.lastIndexOf('-');
        if (dash <= 0 || dash == dirName.length() - 1 || dirName.contains(".") && dirName.endsWith(DELETE_DIR_SUFFIX)) {
            return Optional.empty();
        }
        try {
            int partition = Integer.parseInt(dirName.substring(dash + 1));
            return partition < 0 ? Optional.empty() : Optional.of(new TopicPartition(dirName.substring(0, dash), partition));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteRecursively(dir);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not remove {} after a failed log creation", dir, e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
