package io.sluice.server.api;

import io.sluice.server.Broker;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.ConfigSource;
import io.sluice.server.controller.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config APIs against a real broker started in this JVM: embedded ZooKeeper, logs in a temporary
 * directory, a loopback listener on a port the OS picks. Requests go over a real socket, as raw Kafka
 * requests (to pin versions and wire fields) and through AdminClient.
 */
class ConfigApisIntegrationTest {

    private static final String TOPIC = "configs-test";

    @TempDir
    Path dataDir;

    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        broker = startBroker();
        broker.topicAdmin().createTopic(TopicAdmin.NewTopic.of(TOPIC, 1, (short) 1), false, 30_000)
                .get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private Broker startBroker() throws Exception {
        Properties props = new Properties();
        props.setProperty("broker.id", "0");
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:0");
        props.setProperty("log.dirs", dataDir.resolve("logs").toString());
        props.setProperty("log.retention.hours", "24");
        Broker started = new Broker(new BrokerConfig(props));
        started.startup();
        return started;
    }

    @Test
    void describeAlterAndSurviveRestartOverTheWire() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            // Defaults first: static log.retention.hours=24 gives retention.ms 86400000.
            DescribeConfigsResult described = describe(client, ConfigResource.Type.TOPIC, TOPIC, (short) 4);
            assertEquals(Errors.NONE.code(), described.errorCode());
            assertEquals("86400000", entry(described, "retention.ms").value());
            assertEquals("delete", entry(described, "cleanup.policy").value());

            IncrementalAlterConfigsRequestData incremental = new IncrementalAlterConfigsRequestData();
            IncrementalAlterConfigsRequestData.AlterConfigsResource topicResource =
                    new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                            .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(TOPIC);
            topicResource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                    .setName("segment.ms").setValue("60000").setConfigOperation(AlterConfigOp.OpType.SET.id()));
            topicResource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                    .setName("cleanup.policy").setValue("compact").setConfigOperation(AlterConfigOp.OpType.APPEND.id()));
            incremental.resources().add(topicResource);
            IncrementalAlterConfigsRequestData.AlterConfigsResource defaultBroker =
                    new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                            .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("");
            defaultBroker.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                    .setName("log.retention.ms").setValue("5000").setConfigOperation(AlterConfigOp.OpType.SET.id()));
            incremental.resources().add(defaultBroker);
            IncrementalAlterConfigsResponse altered = (IncrementalAlterConfigsResponse) client.send(
                    new IncrementalAlterConfigsRequest.Builder(incremental).build((short) 1));
            altered.data().responses().forEach(r -> assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage()));

            described = describe(client, ConfigResource.Type.TOPIC, TOPIC, (short) 4);
            assertEquals("60000", entry(described, "segment.ms").value());
            assertEquals(ConfigSource.TOPIC_CONFIG.id(), entry(described, "segment.ms").configSource());
            assertEquals("delete,compact", entry(described, "cleanup.policy").value());
            assertEquals("5000", entry(described, "retention.ms").value());
            assertEquals(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id(),
                    entry(described, "retention.ms").configSource());

            // Legacy AlterConfigs replaces the topic's whole set.
            AlterConfigsRequestData legacy = new AlterConfigsRequestData();
            AlterConfigsRequestData.AlterConfigsResource legacyTopic = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(TOPIC);
            legacyTopic.configs().add(new AlterConfigsRequestData.AlterableConfig()
                    .setName("max.message.bytes").setValue("2000"));
            legacy.resources().add(legacyTopic);
            AlterConfigsResponse legacyResponse = (AlterConfigsResponse) client.send(
                    new AlterConfigsRequest(legacy, (short) 2));
            assertEquals(Errors.NONE.code(), legacyResponse.data().responses().get(0).errorCode());
            described = describe(client, ConfigResource.Type.TOPIC, TOPIC, (short) 1);
            assertEquals("2000", entry(described, "max.message.bytes").value());
            assertEquals(ConfigSource.DEFAULT_CONFIG.id(), entry(described, "segment.ms").configSource());
        }

        broker.close();
        broker = startBroker();
        try (RawClient client = new RawClient(broker.port())) {
            DescribeConfigsResult described = describe(client, ConfigResource.Type.TOPIC, TOPIC, (short) 4);
            assertEquals("2000", entry(described, "max.message.bytes").value());
            assertEquals("5000", entry(described, "retention.ms").value());
            DescribeConfigsResult defaults = describe(client, ConfigResource.Type.BROKER, "", (short) 4);
            assertEquals(List.of("log.retention.ms"), defaults.configs().stream().map(DescribeConfigsResourceResult::name)
                    .toList());
        }
    }

    @Test
    void errorsOverTheWire() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    describe(client, ConfigResource.Type.TOPIC, "no-such-topic", (short) 4).errorCode());
            assertEquals(Errors.INVALID_REQUEST.code(),
                    describe(client, ConfigResource.Type.BROKER, "7", (short) 4).errorCode());
            DescribeConfigsResult brokerConfigs = describe(client, ConfigResource.Type.BROKER, "0", (short) 4);
            assertEquals(Errors.NONE.code(), brokerConfigs.errorCode());
            assertEquals("24", entry(brokerConfigs, "log.retention.hours").value());
            assertEquals(ConfigSource.STATIC_BROKER_CONFIG.id(),
                    entry(brokerConfigs, "log.retention.hours").configSource());
            assertTrue(entry(brokerConfigs, "log.dirs").readOnly());

            assertEquals(Errors.INVALID_CONFIG, alterOne(client, ConfigResource.Type.TOPIC, TOPIC, "no.such.config", "1"));
            assertEquals(Errors.INVALID_CONFIG, alterOne(client, ConfigResource.Type.TOPIC, TOPIC, "retention.ms", "x"));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    alterOne(client, ConfigResource.Type.TOPIC, "no-such-topic", "retention.ms", "1"));
            assertEquals(Errors.INVALID_REQUEST, alterOne(client, ConfigResource.Type.BROKER, "0", "log.dirs", "/x"));
            assertEquals(Errors.INVALID_REQUEST, alterOne(client, ConfigResource.Type.BROKER, "7", "log.retention.ms", "1"));
        }
    }

    @Test
    void adminClient() throws Exception {
        Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.port());
        try (Admin admin = Admin.create(props)) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "0");
            admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", "12345"), AlterConfigOp.OpType.SET)),
                    brokerResource, List.of(new AlterConfigOp(new ConfigEntry("message.max.bytes", "3000"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(topic, brokerResource),
                    new DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true))
                    .all().get(30, TimeUnit.SECONDS);
            ConfigEntry retention = configs.get(topic).get("retention.ms");
            assertEquals("12345", retention.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.source());
            assertEquals(ConfigEntry.ConfigType.LONG, retention.type());
            ConfigEntry maxMessage = configs.get(topic).get("max.message.bytes");
            assertEquals("3000", maxMessage.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, maxMessage.source());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG,
                    configs.get(brokerResource).get("message.max.bytes").source());

            admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE))))
                    .all().get(30, TimeUnit.SECONDS);
            assertEquals("86400000", admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS)
                    .get(topic).get("retention.ms").value());
        }
    }

    @Test
    void changedTopicConfigReachesTheLiveLog() throws Exception {
        Map<String, Object> adminProps = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.port());
        Map<String, Object> producerProps = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.port(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        byte[] value = new byte[2000];
        try (Admin admin = Admin.create(adminProps);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
            producer.send(new ProducerRecord<>(TOPIC, value)).get(30, TimeUnit.SECONDS);

            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "1000"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            ExecutionException tooLarge = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(TOPIC, value)).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, tooLarge.getCause());

            // Back to the broker default, then a cluster-wide dynamic default applies to the topic.
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", null), AlterConfigOp.OpType.DELETE))))
                    .all().get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(TOPIC, value)).get(30, TimeUnit.SECONDS);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(
                    new AlterConfigOp(new ConfigEntry("message.max.bytes", "1000"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            tooLarge = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(TOPIC, value)).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, tooLarge.getCause());
        }
    }

    private static Errors alterOne(RawClient client, ConfigResource.Type type, String name, String key, String value)
            throws IOException {
        IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(type.id()).setResourceName(name);
        resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                .setName(key).setValue(value).setConfigOperation(AlterConfigOp.OpType.SET.id()));
        data.resources().add(resource);
        IncrementalAlterConfigsResponse response = (IncrementalAlterConfigsResponse) client.send(
                new IncrementalAlterConfigsRequest.Builder(data).build((short) 1));
        return Errors.forCode(response.data().responses().get(0).errorCode());
    }

    private static DescribeConfigsResult describe(RawClient client, ConfigResource.Type type, String name,
                                                  short version) throws IOException {
        DescribeConfigsRequestData data = new DescribeConfigsRequestData().setIncludeSynonyms(true)
                .setIncludeDocumentation(version >= 3);
        data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(type.id()).setResourceName(name).setConfigurationKeys(null));
        DescribeConfigsResponse response = (DescribeConfigsResponse) client.send(
                new DescribeConfigsRequest.Builder(data).build(version));
        return response.data().results().get(0);
    }

    private static DescribeConfigsResourceResult entry(DescribeConfigsResult result, String name) {
        return result.configs().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not described"));
    }

    /** A blocking Kafka protocol client over one socket: one request, one response. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket;
        private final DataOutputStream out;
        private final DataInputStream in;
        private int correlationId;

        RawClient(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
        }

        AbstractResponse send(AbstractRequest request) throws IOException {
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "config-test", ++correlationId);
            ByteBuffer bytes = request.serializeWithHeader(header);
            out.writeInt(bytes.remaining());
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

}
