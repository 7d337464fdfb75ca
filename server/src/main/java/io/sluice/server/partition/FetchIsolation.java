package io.sluice.server.partition;

import org.apache.kafka.common.IsolationLevel;

/** How far a fetch may read, as Kafka's {@code FetchIsolation}. */
public enum FetchIsolation {
    /** Followers: up to the log end offset. */
    LOG_END,
    /** Consumers with read_uncommitted: up to the high watermark. */
    HIGH_WATERMARK,
    /** Consumers with read_committed: up to the last stable offset. */
    TXN_COMMITTED;

    public static FetchIsolation of(int replicaId, IsolationLevel isolationLevel) {
        if (replicaId >= 0) {
            return LOG_END;
        }
        return isolationLevel == IsolationLevel.READ_COMMITTED ? TXN_COMMITTED : HIGH_WATERMARK;
    }
}
