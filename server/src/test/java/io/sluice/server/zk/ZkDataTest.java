package io.sluice.server.zk;

import io.sluice.server.metadata.Listener;
import io.sluice.server.metadata.BrokerRegistration;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The znode layouts against what Kafka 3.x writes in ZooKeeper mode. */
class ZkDataTest {

    @Test
    void topicNodeMatchesKafkaVersion3() {
        Uuid id = Uuid.fromString("1N7JbZwjS-aW9JCXTZUbGQ");
        byte[] data = ZkData.encodeTopic(new ZkData.TopicAssignment(id, Map.of(1, List.of(1, 0), 0, List.of(0, 1))));
        assertEquals("{\"version\":3,\"topic_id\":\"1N7JbZwjS-aW9JCXTZUbGQ\",\"partitions\":{\"0\":[0,1],\"1\":[1,0]},"
                + "\"adding_replicas\":{},\"removing_replicas\":{}}", new String(data, StandardCharsets.UTF_8));
        ZkData.TopicAssignment decoded = ZkData.decodeTopic(data);
        assertEquals(id, decoded.topicId());
        assertEquals(List.of(1, 0), decoded.partitions().get(1));
    }

    @Test
    void partitionStateMatchesKafka() {
        byte[] data = ZkData.encodePartitionState(new ZkData.LeaderAndIsr(0, 0, List.of(0), 1));
        assertEquals("{\"controller_epoch\":1,\"leader\":0,\"version\":1,\"leader_epoch\":0,\"isr\":[0]}",
                new String(data, StandardCharsets.UTF_8));
        assertEquals(new ZkData.LeaderAndIsr(0, 0, List.of(0), 1), ZkData.decodePartitionState(data));
        // KIP-966's eligible leader replicas and last known leader, only when there are some
        ZkData.LeaderAndIsr offline = new ZkData.LeaderAndIsr(-1, 3, List.of(), 1, List.of(1, 2), List.of(2));
        byte[] elr = ZkData.encodePartitionState(offline);
        assertEquals("{\"controller_epoch\":1,\"leader\":-1,\"version\":1,\"leader_epoch\":3,\"isr\":[],"
                + "\"eligible_leader_replicas\":[1,2],\"last_known_elr\":[2]}", new String(elr, StandardCharsets.UTF_8));
        assertEquals(offline, ZkData.decodePartitionState(elr));
    }

    @Test
    void brokerRegistrationRoundTripsAndReadsKafkaVersion4() {
        BrokerRegistration broker = new BrokerRegistration(3, List.of(
                new Listener("PLAINTEXT", SecurityProtocol.PLAINTEXT, "10.0.0.1", 9092),
                new Listener("INTERNAL", SecurityProtocol.SASL_SSL, "::1", 9093)), "rack-a");
        assertEquals(broker, ZkData.decodeBroker(3, ZkData.encodeBroker(broker, 1L)));
        BrokerRegistration cleanRestart = broker.withPreviousEpoch(4711L);
        assertEquals(cleanRestart, ZkData.decodeBroker(3, ZkData.encodeBroker(cleanRestart, 1L)));
        String kafkaV4 = "{\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},\"endpoints\":"
                + "[\"PLAINTEXT://10.9.167.48:9092\"],\"jmx_port\":9999,\"host\":\"10.9.167.48\","
                + "\"timestamp\":\"1543300074836\",\"port\":9092,\"version\":4}";
        BrokerRegistration decoded = ZkData.decodeBroker(1, kafkaV4.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(new Listener("PLAINTEXT", SecurityProtocol.PLAINTEXT, "10.9.167.48", 9092)),
                decoded.endpoints());
    }

    @Test
    void smallNodes() {
        assertEquals("{\"version\":\"1\",\"id\":\"abc\"}", new String(ZkData.encodeClusterId("abc"), StandardCharsets.UTF_8));
        assertEquals("abc", ZkData.decodeClusterId(ZkData.encodeClusterId("abc")));
        assertEquals(7, ZkData.decodeControllerId(ZkData.encodeController(7, 123L)));
        assertEquals(7, ZkData.decodeControllerId("7".getBytes(StandardCharsets.UTF_8)));
        assertEquals(5, ZkData.decodeControllerEpoch(ZkData.encodeControllerEpoch(5)));
        assertEquals("{\"version\":1,\"broker\":0,\"block_start\":\"0\",\"block_end\":\"999\"}", new String(
                ZkData.encodeProducerIdBlock(new ZkData.ProducerIdBlock(0, 0, 999)), StandardCharsets.UTF_8));
        assertEquals(Map.of("retention.ms", "1000"),
                ZkData.decodeConfig(ZkData.encodeConfig(Map.of("retention.ms", "1000"))));
        assertEquals("/config/brokers/<default>", ZkData.brokerConfigPath(-1));
    }
}
