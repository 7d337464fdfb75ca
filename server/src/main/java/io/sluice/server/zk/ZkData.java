package io.sluice.server.zk;

import io.sluice.server.metadata.Listener;
import io.sluice.server.metadata.BrokerRegistration;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka's ZooKeeper paths and znode JSON layouts, as Kafka 3.x wrote them in ZooKeeper mode
 * ({@code kafka.zk.ZkData}), so that operators' tools and habits carry over. Decoders are lenient about
 * extra fields and throw {@link IllegalArgumentException} on a node they cannot understand. Stateless.
 */
public final class ZkData {

    public static final String CLUSTER_ID = "/cluster/id";
    public static final String CONTROLLER = "/controller";
    public static final String CONTROLLER_EPOCH = "/controller_epoch";
    public static final String BROKER_IDS = "/brokers/ids";
    public static final String BROKER_TOPICS = "/brokers/topics";
    public static final String CONFIG_TOPICS = "/config/topics";
    public static final String CONFIG_BROKERS = "/config/brokers";
    public static final String DELETE_TOPICS = "/admin/delete_topics";
    public static final String LATEST_PRODUCER_ID_BLOCK = "/latest_producer_id_block";
    /** The entity name of the cluster-wide broker config, {@code /config/brokers/<default>}. */
    public static final String DEFAULT_BROKER_ENTITY = "<default>";
    /** Kafka's ProducerIdManager block size. */
    public static final long PRODUCER_ID_BLOCK_SIZE = 1000;

    /** Paths created at startup, as Kafka's {@code ZkData.PersistentZkPaths}. */
    public static final List<String> PERSISTENT_PATHS = List.of("/consumers", BROKER_IDS, BROKER_TOPICS,
            "/config/changes", CONFIG_TOPICS, CONFIG_BROKERS, "/config/clients", "/config/users", "/config/ips",
            DELETE_TOPICS, "/brokers/seqid", "/isr_change_notification", "/latest_producer_id_block",
            "/log_dir_event_notification");

    private ZkData() {
    }

    public static String brokerPath(int brokerId) {
        return BROKER_IDS + "/" + brokerId;
    }

    public static String topicPath(String topic) {
        return BROKER_TOPICS + "/" + topic;
    }

    public static String partitionsPath(String topic) {
        return topicPath(topic) + "/partitions";
    }

    public static String partitionPath(String topic, int partition) {
        return partitionsPath(topic) + "/" + partition;
    }

    public static String partitionStatePath(String topic, int partition) {
        return partitionPath(topic, partition) + "/state";
    }

    public static String topicConfigPath(String topic) {
        return CONFIG_TOPICS + "/" + topic;
    }

    /** {@code /config/brokers/<id>}, or {@code /config/brokers/<default>} for broker id -1. */
    public static String brokerConfigPath(int brokerId) {
        return CONFIG_BROKERS + "/" + (brokerId < 0 ? DEFAULT_BROKER_ENTITY : Integer.toString(brokerId));
    }

    public static String deleteTopicPath(String topic) {
        return DELETE_TOPICS + "/" + topic;
    }

    // ---- /cluster/id: {"version":"1","id":"..."}

    public static byte[] encodeClusterId(String clusterId) {
        return ZkJson.encode(ordered("version", "1", "id", clusterId));
    }

    public static String decodeClusterId(byte[] data) {
        return string(ZkJson.decodeObject(data), "id");
    }

    // ---- /controller: {"version":2,"brokerid":0,"timestamp":"..."}; /controller_epoch: "1"

    public static byte[] encodeController(int brokerId, long timestampMs) {
        return ZkJson.encode(ordered("version", 2, "brokerid", brokerId, "timestamp", Long.toString(timestampMs)));
    }

    public static int decodeControllerId(byte[] data) {
        Object value = ZkJson.decode(data);
        if (value instanceof Number n) {
            return n.intValue(); // Kafka before 0.9 stored the bare id
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return integer(map, "brokerid");
    }

    public static byte[] encodeControllerEpoch(int epoch) {
        return Integer.toString(epoch).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static int decodeControllerEpoch(byte[] data) {
        return Integer.parseInt(new String(data, java.nio.charset.StandardCharsets.UTF_8).trim());
    }

    // ---- /brokers/ids/<id>: version 5

    public static byte[] encodeBroker(BrokerRegistration broker, long timestampMs) {
        Map<String, Object> protocolMap = new LinkedHashMap<>();
        List<Object> endpoints = new ArrayList<>();
        String host = null;
        int port = -1;
        for (Listener l : broker.endpoints()) {
            protocolMap.put(l.name(), l.securityProtocol().name);
            endpoints.add(l.toString());
            if (l.securityProtocol() == SecurityProtocol.PLAINTEXT && host == null) {
                // Kafka fills the legacy host/port from the PLAINTEXT endpoint, if there is one
                host = l.host();
                port = l.port();
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("features", Map.of());
        json.put("listener_security_protocol_map", protocolMap);
        json.put("endpoints", endpoints);
        json.put("jmx_port", -1);
        json.put("port", port);
        json.put("host", host);
        json.put("version", 5);
        json.put("timestamp", Long.toString(timestampMs));
        json.put("rack", broker.rack());
        // KIP-966's PreviousBrokerEpoch; Kafka 3.9's decoder ignores keys it does not know
        json.put(PREVIOUS_BROKER_EPOCH, broker.previousEpoch());
        return ZkJson.encode(json);
    }

    public static BrokerRegistration decodeBroker(int brokerId, byte[] data) {
        Map<String, Object> json = ZkJson.decodeObject(data);
        Map<String, SecurityProtocol> protocols = new LinkedHashMap<>();
        Object mapValue = json.get("listener_security_protocol_map");
        if (mapValue instanceof Map<?, ?> m) {
            m.forEach((k, v) -> protocols.put(String.valueOf(k).toUpperCase(Locale.ROOT),
                    SecurityProtocol.forName(String.valueOf(v))));
        }
        List<Listener> endpoints = new ArrayList<>();
        Object endpointsValue = json.get("endpoints");
        if (endpointsValue instanceof List<?> list) {
            for (Object e : list) {
                endpoints.add(parseEndpoint(String.valueOf(e), protocols));
            }
        } else if (json.get("host") instanceof String host && json.get("port") instanceof Number port) {
            endpoints.add(new Listener("PLAINTEXT", SecurityProtocol.PLAINTEXT, host, port.intValue()));
        }
        Object rack = json.get("rack");
        long previousEpoch = json.get(PREVIOUS_BROKER_EPOCH) instanceof Number n ? n.longValue() : -1L;
        return new BrokerRegistration(brokerId, List.copyOf(endpoints), rack == null ? null : rack.toString(), -1L,
                previousEpoch);
    }

    private static final String PREVIOUS_BROKER_EPOCH = "previous_broker_epoch";

    private static Listener parseEndpoint(String endpoint, Map<String, SecurityProtocol> protocols) {
        int sep = endpoint.indexOf("://");
        int colon = endpoint.lastIndexOf(':');
        if (sep <= 0 || colon <= sep + 2) {
            throw new IllegalArgumentException("bad endpoint " + endpoint);
        }
        String name = endpoint.substring(0, sep).toUpperCase(Locale.ROOT);
        String host = endpoint.substring(sep + 3, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(endpoint.substring(colon + 1));
        SecurityProtocol protocol = protocols.get(name);
        if (protocol == null) {
            protocol = SecurityProtocol.forName(name); // Kafka before listener names: the name is the protocol
        }
        return new Listener(name, protocol, host, port);
    }

    // ---- /brokers/topics/<topic>: version 3 with topic id

    /** The replica assignment of a topic, partition index to replica broker ids, in assignment order. */
    public record TopicAssignment(Uuid topicId, Map<Integer, List<Integer>> partitions) {
        public TopicAssignment {
            partitions = java.util.Collections.unmodifiableMap(new TreeMap<>(partitions));
        }
    }

    public static byte[] encodeTopic(TopicAssignment topic) {
        Map<String, Object> partitions = new LinkedHashMap<>();
        topic.partitions().forEach((p, replicas) -> partitions.put(Integer.toString(p), replicas));
        return ZkJson.encode(ordered("version", 3, "topic_id", topic.topicId().toString(),
                "partitions", partitions, "adding_replicas", Map.of(), "removing_replicas", Map.of()));
    }

    public static TopicAssignment decodeTopic(byte[] data) {
        Map<String, Object> json = ZkJson.decodeObject(data);
        Object id = json.get("topic_id");
        Map<Integer, List<Integer>> partitions = new TreeMap<>();
        Object value = json.get("partitions");
        if (value instanceof Map<?, ?> map) {
            map.forEach((p, replicas) -> partitions.put(Integer.parseInt(String.valueOf(p)), intList(replicas)));
        }
        return new TopicAssignment(id == null ? Uuid.ZERO_UUID : Uuid.fromString(id.toString()), partitions);
    }

    // ---- /brokers/topics/<topic>/partitions/<p>/state

    /**
     * Leader, leader epoch and ISR of one partition, and the epoch of the controller that wrote them; with KIP-966's
     * eligible leader replicas (members that left an ISR smaller than {@code min.insync.replicas}, so they hold every
     * committed record) and the last known leader of a partition whose ISR and ELR went empty. Both are written only
     * when not empty, under keys Kafka 3.9's decoder ignores, so the node reads as Kafka's otherwise.
     */
    public record LeaderAndIsr(int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch,
                               List<Integer> elr, List<Integer> lastKnownElr) {
        public LeaderAndIsr {
            isr = List.copyOf(isr);
            elr = List.copyOf(elr);
            lastKnownElr = List.copyOf(lastKnownElr);
        }

        public LeaderAndIsr(int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch) {
            this(leader, leaderEpoch, isr, controllerEpoch, List.of(), List.of());
        }
    }

    public static byte[] encodePartitionState(LeaderAndIsr state) {
        Map<String, Object> json = ordered("controller_epoch", state.controllerEpoch(), "leader", state.leader(),
                "version", 1, "leader_epoch", state.leaderEpoch(), "isr", state.isr());
        if (!state.elr().isEmpty()) {
            json.put(ELIGIBLE_LEADER_REPLICAS, state.elr());
        }
        if (!state.lastKnownElr().isEmpty()) {
            json.put(LAST_KNOWN_ELR, state.lastKnownElr());
        }
        return ZkJson.encode(json);
    }

    public static LeaderAndIsr decodePartitionState(byte[] data) {
        Map<String, Object> json = ZkJson.decodeObject(data);
        return new LeaderAndIsr(integer(json, "leader"), integer(json, "leader_epoch"), intList(json.get("isr")),
                integer(json, "controller_epoch"), optionalIntList(json.get(ELIGIBLE_LEADER_REPLICAS)),
                optionalIntList(json.get(LAST_KNOWN_ELR)));
    }

    private static final String ELIGIBLE_LEADER_REPLICAS = "eligible_leader_replicas";
    private static final String LAST_KNOWN_ELR = "last_known_elr";

    private static List<Integer> optionalIntList(Object value) {
        return value == null ? List.of() : intList(value);
    }

    // ---- /config/topics/<topic>, /config/brokers/<id>: {"version":1,"config":{...}}

    public static byte[] encodeConfig(Map<String, String> config) {
        return ZkJson.encode(ordered("version", 1, "config", new TreeMap<>(config)));
    }

    public static Map<String, String> decodeConfig(byte[] data) {
        if (data == null || data.length == 0) {
            return Map.of();
        }
        Map<String, Object> json = ZkJson.decodeObject(data);
        Map<String, String> config = new TreeMap<>();
        if (json.get("config") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> config.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        return java.util.Collections.unmodifiableMap(config);
    }

    // ---- /latest_producer_id_block: {"version":1,"broker":0,"block_start":"0","block_end":"999"}

    /** A block of producer ids, both ends inclusive, as Kafka's {@code ProducerIdBlockZNode}. */
    public record ProducerIdBlock(int brokerId, long blockStart, long blockEnd) {
    }

    public static byte[] encodeProducerIdBlock(ProducerIdBlock block) {
        return ZkJson.encode(ordered("version", 1, "broker", block.brokerId(),
                "block_start", Long.toString(block.blockStart()), "block_end", Long.toString(block.blockEnd())));
    }

    public static ProducerIdBlock decodeProducerIdBlock(byte[] data) {
        Map<String, Object> json = ZkJson.decodeObject(data);
        return new ProducerIdBlock(integer(json, "broker"), Long.parseLong(String.valueOf(json.get("block_start"))),
                Long.parseLong(String.valueOf(json.get("block_end"))));
    }

    // ---- helpers

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    private static int integer(Map<String, Object> json, String key) {
        Object v = json.get(key);
        if (v instanceof Number n) {
            return n.intValue();
        }
        if (v instanceof String s) {
            return Integer.parseInt(s);
        }
        throw new IllegalArgumentException("missing integer field " + key);
    }

    private static String string(Map<String, Object> json, String key) {
        Object v = json.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing field " + key);
        }
        return v.toString();
    }

    private static List<Integer> intList(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("expected a list of broker ids");
        }
        List<Integer> ids = new ArrayList<>(list.size());
        for (Object o : list) {
            ids.add(((Number) o).intValue());
        }
        return List.copyOf(ids);
    }
}
