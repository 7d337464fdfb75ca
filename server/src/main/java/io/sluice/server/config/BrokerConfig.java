package io.sluice.server.config;

import io.sluice.server.metadata.Listener;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The broker's static configuration ({@code server.properties}), with Kafka's names, types and defaults.
 * A bad value throws {@link ConfigException} naming the key; an unknown key is logged and ignored, as
 * Kafka does, except the keys that ask for a feature Sluice does not have yet and would be unsafe to ignore
 * ({@link UnbuiltFeatures}), which stop startup. Immutable and thread-safe.
 */
public final class BrokerConfig extends AbstractConfig {

    private static final Logger log = LoggerFactory.getLogger(BrokerConfig.class);

    public static final String BROKER_ID = "broker.id";
    public static final String NODE_ID = "node.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String ZOOKEEPER_CONNECTION_TIMEOUT_MS = "zookeeper.connection.timeout.ms";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String QUEUED_MAX_REQUESTS = "queued.max.requests";
    public static final String QUEUED_MAX_REQUEST_BYTES = "queued.max.request.bytes";
    public static final String BROKER_RACK = "broker.rack";

    // The group coordinator's configs (offsets.topic.*, group.*) are defined by the coordinator module.
    static final ConfigDef DEF = io.sluice.coordinator.group.GroupConfig.define(ReplicationConfigs.define(
            BrokerLogConfigs.define(new ConfigDef()
            .define(BROKER_ID, Type.INT, -1, Importance.HIGH,
                    "The broker id. -1 takes the node.id, or 0 when neither is set.")
            .define(NODE_ID, Type.INT, -1, Importance.HIGH, "Synonym of broker.id.")
            .define(LISTENERS, Type.STRING, "PLAINTEXT://:9092", Importance.HIGH,
                    "Comma-separated listeners, NAME://host:port. Port 0 picks a free port.")
            .define(ADVERTISED_LISTENERS, Type.STRING, null, Importance.HIGH,
                    "Listeners given to clients in Metadata; defaults to listeners.")
            .define(LISTENER_SECURITY_PROTOCOL_MAP, Type.STRING,
                    "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
                    Importance.LOW, "Listener name to security protocol.")
            .define(LOG_DIRS, Type.STRING, null, Importance.HIGH, "Comma-separated log directories.")
            .define(LOG_DIR, Type.STRING, "/tmp/kafka-logs", Importance.HIGH, "The log directory when log.dirs is unset.")
            .define(ZOOKEEPER_CONNECT, Type.STRING, null, Importance.HIGH,
                    "ZooKeeper connect string; unset starts an embedded ZooKeeper next to the log dirs.")
            .define(ZOOKEEPER_SESSION_TIMEOUT_MS, Type.INT, 18000, Range.atLeast(1), Importance.HIGH,
                    "ZooKeeper session timeout.")
            .define(ZOOKEEPER_CONNECTION_TIMEOUT_MS, Type.INT, null, Importance.HIGH,
                    "Time to wait for a ZooKeeper connection; defaults to the session timeout.")
            .define(NUM_PARTITIONS, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM,
                    "Default partitions of an auto-created topic.")
            .define(DEFAULT_REPLICATION_FACTOR, Type.SHORT, (short) 1, Range.atLeast(1), Importance.MEDIUM,
                    "Default replication factor of an auto-created topic.")
            .define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, Importance.HIGH,
                    "Create a topic when Metadata or Produce names an unknown one.")
            .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, Importance.HIGH, "Allow DeleteTopics.")
            .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 104857600, Range.atLeast(1), Importance.HIGH,
                    "The largest request frame accepted.")
            .define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600000L, Importance.MEDIUM,
                    "Idle connections close after this long.")
            .define(NUM_NETWORK_THREADS, Type.INT, 3, Range.atLeast(1), Importance.HIGH,
                    "Event loop threads serving connections.")
            .define(QUEUED_MAX_REQUESTS, Type.INT, 500, Range.atLeast(1), Importance.HIGH,
                    "Requests read and waiting to start, over all connections, before no more are read.")
            .define(QUEUED_MAX_REQUEST_BYTES, Type.LONG, -1L, Importance.MEDIUM,
                    "Bytes of requests received and not yet answered, over all connections, before no more are"
                            + " read; -1 is half of the memory the network buffers may use.")
            .define(BROKER_RACK, Type.STRING, null, Importance.MEDIUM, "Rack of the broker."))));

    private final int brokerId;
    private final List<Listener> listeners;
    private final List<Listener> advertisedListeners;
    private final List<Path> logDirs;

    public BrokerConfig(Map<?, ?> props) {
        super(DEF, props, false);
        this.brokerId = resolveBrokerId();
        Map<String, SecurityProtocol> protocolMap = protocolMap();
        this.listeners = Listener.parseList(LISTENERS, getString(LISTENERS), protocolMap);
        if (listeners.isEmpty()) {
            throw new ConfigException(LISTENERS, getString(LISTENERS), "at least one listener is required");
        }
        String advertised = getString(ADVERTISED_LISTENERS);
        this.advertisedListeners = advertised == null ? listeners
                : Listener.parseList(ADVERTISED_LISTENERS, advertised, protocolMap);
        String dirs = getString(LOG_DIRS) != null ? getString(LOG_DIRS) : getString(LOG_DIR);
        this.logDirs = Arrays.stream(dirs.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        if (logDirs.isEmpty()) {
            throw new ConfigException(LOG_DIRS, dirs, "at least one log directory is required");
        }
        long queuedBytes = getLong(QUEUED_MAX_REQUEST_BYTES);
        if (queuedBytes > 0 && queuedBytes < socketRequestMaxBytes()) {
            // as Kafka: a budget smaller than the largest request could never admit one
            throw new ConfigException(QUEUED_MAX_REQUEST_BYTES, queuedBytes, "must be larger or equal to "
                    + SOCKET_REQUEST_MAX_BYTES + " (" + socketRequestMaxBytes() + ")");
        }
        String interBroker = getString(ReplicationConfigs.INTER_BROKER_LISTENER_NAME);
        if (interBroker != null && advertisedListeners.stream()
                .noneMatch(l -> l.name().equalsIgnoreCase(interBroker.strip()))) {
            // as Kafka: other brokers could not reach this one
            throw new ConfigException(ReplicationConfigs.INTER_BROKER_LISTENER_NAME, interBroker,
                    "must be the name of one of the advertised listeners " + advertisedListeners);
        }
        UnbuiltFeatures.check(props, listeners, advertisedListeners);
        TopicConfigs.validateBrokerDefaults(this);
        for (Object key : props.keySet()) {
            if (!DEF.names().contains(String.valueOf(key))) {
                log.warn("Ignoring unknown configuration {}", key);
            }
        }
    }

    /**
     * The listener other brokers reach this one on: {@code inter.broker.listener.name}, else the first listener of
     * {@code security.inter.broker.protocol}'s protocol (a listener named after it, as Kafka), else the first one.
     */
    public String interBrokerListenerName() {
        String named = getString(ReplicationConfigs.INTER_BROKER_LISTENER_NAME);
        if (named != null) {
            return named.strip().toUpperCase(Locale.ROOT);
        }
        String protocol = getString(ReplicationConfigs.SECURITY_INTER_BROKER_PROTOCOL).strip().toUpperCase(Locale.ROOT);
        return advertisedListeners.stream().filter(l -> l.name().equals(protocol)).findFirst()
                .orElse(advertisedListeners.get(0)).name();
    }

    public static BrokerConfig fromProperties(Properties props) {
        return new BrokerConfig(props);
    }

    /** The definitions, for other config classes (topic defaults, DescribeConfigs) to extend. */
    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }

    private int resolveBrokerId() {
        int brokerIdValue = getInt(BROKER_ID);
        int nodeIdValue = getInt(NODE_ID);
        if (brokerIdValue >= 0 && nodeIdValue >= 0 && brokerIdValue != nodeIdValue) {
            throw new ConfigException(BROKER_ID, brokerIdValue, "differs from node.id " + nodeIdValue);
        }
        return Math.max(0, Math.max(brokerIdValue, nodeIdValue));
    }

    private Map<String, SecurityProtocol> protocolMap() {
        String value = getString(LISTENER_SECURITY_PROTOCOL_MAP);
        Map<String, SecurityProtocol> map = new LinkedHashMap<>();
        for (String entry : value.split(",")) {
            String[] kv = entry.trim().split(":");
            if (kv.length != 2) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, value, "entry '" + entry + "' is not NAME:PROTOCOL");
            }
            try {
                map.put(kv[0].trim().toUpperCase(Locale.ROOT), SecurityProtocol.forName(kv[1].trim()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, value, "unknown security protocol " + kv[1]);
            }
        }
        return map;
    }

    /**
     * The value of {@code name} as set in {@code server.properties}, in its canonical string form, or null
     * when it is not set there (its default applies) or is not a config Sluice defines.
     */
    public String staticValue(String name) {
        ConfigDef.ConfigKey key = DEF.configKeys().get(name);
        if (key == null || !originals().containsKey(name)) {
            return null;
        }
        return ConfigDef.convertToString(values().get(name), key.type);
    }

    /** Every config set in {@code server.properties} that Sluice defines, in canonical string form. */
    public Map<String, String> staticConfigs() {
        Map<String, String> set = new LinkedHashMap<>();
        for (String name : DEF.names()) {
            String value = staticValue(name);
            if (value != null) {
                set.put(name, value);
            }
        }
        return set;
    }

    public int brokerId() {
        return brokerId;
    }

    public List<Listener> listeners() {
        return listeners;
    }

    public List<Listener> advertisedListeners() {
        return advertisedListeners;
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    public String zookeeperConnect() {
        return getString(ZOOKEEPER_CONNECT);
    }

    public int socketRequestMaxBytes() {
        return getInt(SOCKET_REQUEST_MAX_BYTES);
    }

    public long connectionsMaxIdleMs() {
        return getLong(CONNECTIONS_MAX_IDLE_MS);
    }

    public int numNetworkThreads() {
        return getInt(NUM_NETWORK_THREADS);
    }

    public int queuedMaxRequests() {
        return getInt(QUEUED_MAX_REQUESTS);
    }

    /** {@code queued.max.request.bytes} as configured: -1 (or 0) asks for the network's automatic bound. */
    public long queuedMaxRequestBytes() {
        return getLong(QUEUED_MAX_REQUEST_BYTES);
    }
}
