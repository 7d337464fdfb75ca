package io.sluice.server.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Kafka's replication settings: how followers fetch from leaders and when a follower leaves the ISR, with Kafka's
 * names and defaults ({@code ReplicationConfigs}). Stateless.
 */
public final class ReplicationConfigs {

    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    public static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";

    private ReplicationConfigs() {
    }

    static ConfigDef define(ConfigDef def) {
        return def
                .define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, 30000L, Range.atLeast(1), Importance.HIGH,
                        "A follower that has not caught up with the leader's log end for this long leaves the ISR.")
                .define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, Range.atLeast(0), Importance.MEDIUM,
                        "How long a follower's fetch waits at the leader for replica.fetch.min.bytes.")
                .define(REPLICA_FETCH_MIN_BYTES, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM,
                        "Bytes a follower's fetch waits for.")
                .define(REPLICA_FETCH_MAX_BYTES, Type.INT, 1048576, Range.atLeast(0), Importance.MEDIUM,
                        "Bytes fetched per partition by a follower (a larger first batch still comes whole).")
                .define(REPLICA_FETCH_RESPONSE_MAX_BYTES, Type.INT, 10485760, Range.atLeast(0), Importance.MEDIUM,
                        "Bytes of one follower fetch response.")
                .define(REPLICA_FETCH_BACKOFF_MS, Type.INT, 1000, Range.atLeast(0), Importance.MEDIUM,
                        "Pause of a follower's fetching after an error.")
                .define(REPLICA_SOCKET_TIMEOUT_MS, Type.INT, 30000, Importance.HIGH,
                        "Socket timeout of inter-broker requests.")
                .define(NUM_REPLICA_FETCHERS, Type.INT, 1, Range.atLeast(1), Importance.HIGH,
                        "Fetcher threads per source broker.")
                .define(INTER_BROKER_LISTENER_NAME, Type.STRING, null, Importance.MEDIUM,
                        "The listener brokers use to talk to each other; defaults to the one of"
                                + " security.inter.broker.protocol.")
                .define(SECURITY_INTER_BROKER_PROTOCOL, Type.STRING, "PLAINTEXT", Importance.MEDIUM,
                        "The security protocol brokers use to talk to each other.");
    }
}
