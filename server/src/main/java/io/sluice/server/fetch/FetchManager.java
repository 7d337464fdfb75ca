package io.sluice.server.fetch;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the {@link FetchContext} of each Fetch request from its session id and epoch (KIP-227), as
 * Kafka's {@code FetchManager.newContext}:
 *
 * <pre>
 *   epoch -1 (FINAL)   close the named session if any; sessionless
 *   epoch 0 (INITIAL)  close the named session if any; full, creating a new session
 *   epoch > 0          the session must exist (else FETCH_SESSION_ID_NOT_FOUND) with exactly this epoch
 *                      (else INVALID_FETCH_SESSION_EPOCH) and the same topic-id mode (else
 *                      FETCH_SESSION_TOPIC_ID_ERROR); add/update partitions, drop forgotten ones, advance
 *                      the epoch. A session left empty is closed and the fetch is sessionless.
 * </pre>
 *
 * Thread-safe.
 */
public final class FetchManager {

    private static final Logger log = LoggerFactory.getLogger(FetchManager.class);

    private final Time time;
    private final FetchSessionCache cache;

    public FetchManager(Time time, FetchSessionCache cache) {
        this.time = time;
        this.cache = cache;
    }

    FetchSessionCache cache() {
        return cache;
    }

    Time time() {
        return time;
    }

    /**
     * @param usesTopicIds the request is Fetch v13+
     * @param topicNames   topic names by id from the current metadata, to resolve partitions a session
     *                     added while their topic was unknown
     */
    public FetchContext newContext(FetchMetadata metadata, boolean usesTopicIds, boolean isFollower,
                                   Map<TopicIdPartition, FetchRequest.PartitionData> fetchData,
                                   List<TopicIdPartition> toForget, Map<Uuid, String> topicNames) {
        if (metadata.isFull()) {
            if (metadata.sessionId() != FetchMetadata.INVALID_SESSION_ID) {
                cache.remove(metadata.sessionId());
            }
            if (metadata.epoch() == FetchMetadata.FINAL_EPOCH) {
                return new FetchContext.Sessionless(fetchData);
            }
            return new FetchContext.Full(this, fetchData, isFollower, usesTopicIds);
        }
        synchronized (cache) {
            Optional<FetchSession> found = cache.get(metadata.sessionId());
            if (found.isEmpty()) {
                log.debug("Fetch session {} not found", metadata.sessionId());
                return new FetchContext.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
            }
            FetchSession session = found.get();
            synchronized (session) {
                if (session.epoch != metadata.epoch()) {
                    log.debug("Fetch session {} expected epoch {}, got {}", session.id, session.epoch, metadata.epoch());
                    return new FetchContext.SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
                }
                if (session.usesTopicIds != usesTopicIds) {
                    return new FetchContext.SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
                }
                session.update(fetchData, toForget, topicNames);
                if (session.partitions.isEmpty()) {
                    cache.remove(session);
                    return new FetchContext.Sessionless(fetchData);
                }
                cache.touch(session, time.milliseconds());
                session.epoch = FetchMetadata.nextEpoch(session.epoch);
                return new FetchContext.Incremental(metadata, session);
            }
        }
    }
}
