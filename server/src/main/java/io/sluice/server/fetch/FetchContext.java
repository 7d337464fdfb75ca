package io.sluice.server.fetch;

import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Fetch request is served under, as Kafka's {@code FetchContext}s. The handler reads
 * {@link #partitions()}, then turns the per-partition results into the response with
 * {@link #updateAndGenerateResponseData}.
 *
 * <pre>
 *   SessionError   the session id or epoch was wrong: top-level error, no partitions, session id 0
 *   Sessionless    legacy fetch (epoch -1): every partition answered, session id 0
 *   Full           epoch 0: every partition answered; a new session is created if a slot is available
 *   Incremental    epoch > 0: the session's partitions are read; only changed ones are answered
 * </pre>
 */
public sealed interface FetchContext {

    /** The partitions to read, in order. */
    Map<TopicIdPartition, FetchRequest.PartitionData> partitions();

    /** Builds the response from the results of reading {@link #partitions()}; updates the session. */
    Response updateAndGenerateResponseData(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> updates);

    /** The top-level error, session id and partitions of a Fetch response. */
    record Response(Errors error, int sessionId, LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> data) {
    }

    record SessionError(Errors error) implements FetchContext {
        @Override
        public Map<TopicIdPartition, FetchRequest.PartitionData> partitions() {
            return Map.of();
        }

        @Override
        public Response updateAndGenerateResponseData(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> updates) {
            return new Response(error, FetchMetadata.INVALID_SESSION_ID, new LinkedHashMap<>());
        }
    }

    record Sessionless(Map<TopicIdPartition, FetchRequest.PartitionData> partitions) implements FetchContext {
        @Override
        public Response updateAndGenerateResponseData(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> updates) {
            return new Response(Errors.NONE, FetchMetadata.INVALID_SESSION_ID, updates);
        }
    }

    /** A full fetch that asks for a new session (epoch 0). */
    final class Full implements FetchContext {
        private final FetchManager manager;
        private final Map<TopicIdPartition, FetchRequest.PartitionData> partitions;
        private final boolean privileged;
        private final boolean usesTopicIds;

        Full(FetchManager manager, Map<TopicIdPartition, FetchRequest.PartitionData> partitions, boolean privileged,
             boolean usesTopicIds) {
            this.manager = manager;
            this.partitions = partitions;
            this.privileged = privileged;
            this.usesTopicIds = usesTopicIds;
        }

        @Override
        public Map<TopicIdPartition, FetchRequest.PartitionData> partitions() {
            return partitions;
        }

        @Override
        public Response updateAndGenerateResponseData(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> updates) {
            int sessionId = manager.cache().maybeCreateSession(manager.time().milliseconds(), privileged, usesTopicIds,
                    updates.size(), () -> {
                        LinkedHashMap<SessionKey, CachedPartition> cached = new LinkedHashMap<>();
                        updates.forEach((tp, response) -> {
                            CachedPartition partition = new CachedPartition(tp, partitions.get(tp));
                            partition.maybeUpdateResponseData(response, true);
                            cached.put(SessionKey.of(tp, usesTopicIds), partition);
                        });
                        return cached;
                    });
            return new Response(Errors.NONE, sessionId, updates);
        }
    }

    /** An incremental fetch on an existing session; the session's epoch was already advanced. */
    final class Incremental implements FetchContext {
        private final FetchMetadata requestMetadata;
        private final FetchSession session;

        Incremental(FetchMetadata requestMetadata, FetchSession session) {
            this.requestMetadata = requestMetadata;
            this.session = session;
        }

        @Override
        public Map<TopicIdPartition, FetchRequest.PartitionData> partitions() {
            synchronized (session) {
                LinkedHashMap<TopicIdPartition, FetchRequest.PartitionData> all = new LinkedHashMap<>();
                session.partitions.values().forEach(p -> all.put(p.topicIdPartition, p.requestData));
                return all;
            }
        }

        @Override
        public Response updateAndGenerateResponseData(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> updates) {
            synchronized (session) {
                // A duplicate request may have moved the session on while this one waited: as Kafka, refuse.
                if (session.epoch != FetchMetadata.nextEpoch(requestMetadata.epoch())) {
                    return new Response(Errors.INVALID_FETCH_SESSION_EPOCH, session.id, new LinkedHashMap<>());
                }
                for (Iterator<Map.Entry<TopicIdPartition, FetchResponseData.PartitionData>> it = updates.entrySet().iterator();
                     it.hasNext(); ) {
                    Map.Entry<TopicIdPartition, FetchResponseData.PartitionData> entry = it.next();
                    SessionKey key = SessionKey.of(entry.getKey(), session.usesTopicIds);
                    CachedPartition cached = session.partitions.get(key);
                    if (cached != null && cached.maybeUpdateResponseData(entry.getValue(), true)) {
                        // Fairness: a partition that is answered moves to the end of the session's order.
                        session.partitions.remove(key);
                        session.partitions.put(key, cached);
                    } else {
                        it.remove();
                    }
                }
                return new Response(Errors.NONE, session.id, updates);
            }
        }
    }
}
