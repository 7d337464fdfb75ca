package io.sluice.server.partition;

/**
 * The request-wide parameters of a fetch, as Kafka's {@code FetchParams}. Immutable.
 *
 * @param replicaId -1 for consumers, the broker id for followers
 * @param maxWaitMs how long to wait for {@code minBytes}
 * @param minBytes  bytes to accumulate before answering
 * @param maxBytes  response size limit (the first batch is returned whole even when larger)
 * @param replicaEpoch a follower's broker epoch (Fetch v15+ ReplicaState), -1 when not sent
 */
public record FetchParams(int replicaId, long replicaEpoch, long maxWaitMs, int minBytes, int maxBytes,
                          FetchIsolation isolation) {

    public FetchParams(int replicaId, long maxWaitMs, int minBytes, int maxBytes, FetchIsolation isolation) {
        this(replicaId, -1L, maxWaitMs, minBytes, maxBytes, isolation);
    }

    public boolean isFromFollower() {
        return replicaId >= 0;
    }
}
