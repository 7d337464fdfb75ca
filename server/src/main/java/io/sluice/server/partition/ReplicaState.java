package io.sluice.server.partition;

/**
 * What the leader knows of one follower of a partition, from its fetches, as Kafka's {@code Replica}: its log end
 * offset (the offset it fetches from) and when it was last caught up, which decides ISR membership by time
 * ({@code replica.lag.time.max.ms}), never by a count of messages.
 *
 * <p>Not thread-safe: guarded by the owning {@link Partition}'s lock.
 */
final class ReplicaState {

    /** Unknown until the follower fetches from this leader. */
    long logEndOffset = -1L;
    long lastCaughtUpTimeMs;
    long lastFetchLeaderLogEndOffset = -1L;
    long lastFetchTimeMs;
    long brokerEpoch = -1L;

    /**
     * A fetch at {@code fetchOffset} while the leader's log ended at {@code leaderLogEndOffset}: caught up now when it
     * reached the leader's end, or caught up as of the previous fetch when it reached what the leader had then (so a
     * follower keeps up under a stream of small appends, as Kafka's {@code Replica.updateFetchStateOrThrow}).
     */
    void updateFetchState(long fetchOffset, long leaderLogEndOffset, long nowMs, long fetchBrokerEpoch) {
        if (fetchOffset >= leaderLogEndOffset) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, nowMs);
        } else if (fetchOffset >= lastFetchLeaderLogEndOffset && lastFetchLeaderLogEndOffset >= 0) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, lastFetchTimeMs);
        }
        logEndOffset = fetchOffset;
        lastFetchLeaderLogEndOffset = leaderLogEndOffset;
        lastFetchTimeMs = nowMs;
        if (fetchBrokerEpoch >= 0) {
            brokerEpoch = fetchBrokerEpoch;
        }
    }

    boolean isCaughtUp(long leaderLogEndOffset, long nowMs, long maxLagMs) {
        return leaderLogEndOffset == logEndOffset || nowMs - lastCaughtUpTimeMs <= maxLagMs;
    }

    /** On a new leader epoch: an ISR member counts as caught up from now, any other replica from never. */
    void reset(boolean inIsr, long nowMs) {
        logEndOffset = -1L;
        lastFetchLeaderLogEndOffset = -1L;
        lastFetchTimeMs = 0;
        lastCaughtUpTimeMs = inIsr ? nowMs : 0;
        brokerEpoch = -1L;
    }
}
