package io.sluice.server.api;

import io.sluice.server.partition.ReplicaManager;
import io.sluice.storage.LogManager;
import io.sluice.storage.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeLogDirs v1-5, as Kafka's {@code ReplicaManager.describeLogDirs} (what {@code kafka-log-dirs --describe}
 * shows): per log dir its absolute path, its partitions' sizes in bytes with offset lag 0 and is_future false (no
 * replica movement between dirs yet), and from v4 the file system's total and usable bytes. A null topic list means
 * every partition. A log dir that cannot be read (its file store fails) is answered with KAFKA_STORAGE_ERROR.
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {

    private static final Logger log = LoggerFactory.getLogger(DescribeLogDirsHandler.class);

    private final LogManager logManager;
    private final ReplicaManager replicaManager;

    public DescribeLogDirsHandler(LogManager logManager, ReplicaManager replicaManager) {
        this.logManager = logManager;
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeLogDirsRequest request) {
        Set<TopicPartition> wanted = wanted(request.data().topics());
        return replicaManager.onIoThread(() -> {
            DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
            for (Path logDir : logManager.logDirs()) {
                response.results().add(describe(logDir, wanted));
            }
            return response;
        });
    }

    /** The requested partitions; null for all. */
    private static Set<TopicPartition> wanted(Collection<DescribableLogDirTopic> topics) {
        if (topics == null) {
            return null;
        }
        Set<TopicPartition> wanted = new HashSet<>();
        for (DescribableLogDirTopic topic : topics) {
            for (int partition : topic.partitions()) {
                wanted.add(new TopicPartition(topic.topic(), partition));
            }
        }
        return wanted;
    }

    private DescribeLogDirsResult describe(Path logDir, Set<TopicPartition> wanted) {
        Path absolute = logDir.toAbsolutePath().normalize();
        DescribeLogDirsResult result = new DescribeLogDirsResult().setLogDir(absolute.toString());
        if (logManager.failureChannel().isOffline(absolute)) {
            // as Kafka: an offline dir is listed with its error and nothing else
            return result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        try {
            FileStore store = Files.getFileStore(absolute);
            result.setTotalBytes(adjustForLargeFileSystems(store.getTotalSpace()))
                    .setUsableBytes(adjustForLargeFileSystems(store.getUsableSpace()));
        } catch (IOException e) {
            log.error("Log dir {} cannot be described; answering KAFKA_STORAGE_ERROR", absolute, e);
            return result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
        for (PartitionLog partitionLog : logManager.all()) {
            TopicPartition tp = partitionLog.topicPartition();
            if (!partitionLog.dir().getParent().toAbsolutePath().normalize().equals(absolute)
                    || (wanted != null && !wanted.contains(tp))) {
                continue;
            }
            topics.computeIfAbsent(tp.topic(), name -> new DescribeLogDirsTopic().setName(name)).partitions()
                    .add(new DescribeLogDirsPartition()
                            .setPartitionIndex(tp.partition())
                            .setPartitionSize(partitionLog.sizeInBytes())
                            .setOffsetLag(0L)
                            .setIsFutureKey(false));
        }
        result.topics().addAll(topics.values());
        return result.setErrorCode(Errors.NONE.code());
    }

    /** Kafka: a file store larger than Long.MAX_VALUE bytes reports a negative size; answer Long.MAX_VALUE. */
    private static long adjustForLargeFileSystems(long space) {
        return space < 0 ? Long.MAX_VALUE : space;
    }
}
