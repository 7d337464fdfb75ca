package io.sluice.server.api;

import io.sluice.server.config.ConfigTestContext;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three config handlers on every version they advertise, with the request-level checks Kafka makes. */
class ConfigHandlersTest {

    private final ConfigTestContext ctx = new ConfigTestContext().withTopic("t", Map.of("retention.ms", "1000"));
    private final DescribeConfigsHandler describe = new DescribeConfigsHandler(ctx.broker, ctx.image::get);
    private final IncrementalAlterConfigsHandler incremental = new IncrementalAlterConfigsHandler(ctx.manager);
    private final AlterConfigsHandler legacy = new AlterConfigsHandler(ctx.manager);

    private static RequestContext context(ApiKeys key, short version) {
        return new RequestContext(new RequestHeader(key, version, "test", 1), "PLAINTEXT",
                InetAddress.getLoopbackAddress());
    }

    @Test
    void advertisesEveryVersionKafkaClientsDecodes() {
        assertEquals(1, describe.minVersion());
        assertEquals(4, describe.maxVersion());
        assertEquals(0, legacy.minVersion());
        assertEquals(2, legacy.maxVersion());
        assertEquals(0, incremental.minVersion());
        assertEquals(1, incremental.maxVersion());
    }

    @Test
    void describeOnEveryVersion() {
        for (short version = describe.minVersion(); version <= describe.maxVersion(); version++) {
            DescribeConfigsRequestData data = new DescribeConfigsRequestData().setIncludeSynonyms(true)
                    .setIncludeDocumentation(version >= 3);
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("t").setConfigurationKeys(null));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("1")
                    .setConfigurationKeys(List.of("log.retention.hours")));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER_LOGGER.id()).setResourceName("1"));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("missing"));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("2"));
            data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("bad/name"));
            DescribeConfigsRequest request = new DescribeConfigsRequest.Builder(data).build(version);
            ApiMessage message = describe.handle(context(ApiKeys.DESCRIBE_CONFIGS, version), request).join();
            MessageUtil.toByteBufferAccessor(message, version); // every field we set exists in this version
            List<DescribeConfigsResponseData.DescribeConfigsResult> results =
                    ((DescribeConfigsResponseData) message).results();
            assertEquals(Errors.NONE.code(), results.get(0).errorCode());
            DescribeConfigsResponseData.DescribeConfigsResourceResult retention = results.get(0).configs().stream()
                    .filter(c -> c.name().equals("retention.ms")).findFirst().orElseThrow();
            assertEquals("1000", retention.value());
            assertEquals(1, retention.configSource());
            if (version >= 3) {
                assertEquals(5, retention.configType()); // LONG
                assertTrue(retention.documentation() != null);
            }
            assertEquals(1, results.get(1).configs().size());
            assertEquals(Errors.NONE.code(), results.get(2).errorCode());
            assertEquals(List.of(), results.get(2).configs());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.get(3).errorCode());
            assertEquals(Errors.INVALID_REQUEST.code(), results.get(4).errorCode());
            assertEquals("Unexpected broker id, expected 1 or empty string, but received 2", results.get(4).errorMessage());
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), results.get(5).errorCode());
        }
    }

    @Test
    void incrementalAlterOnEveryVersionWithKafkasRequestChecks() {
        for (short version = incremental.minVersion(); version <= incremental.maxVersion(); version++) {
            IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
            data.resources().add(resource(ConfigResource.Type.TOPIC, "t",
                    config("segment.ms", AlterConfigOp.OpType.SET, "5000")));
            data.resources().add(resource(ConfigResource.Type.BROKER, "", config("x", AlterConfigOp.OpType.SET, "1")));
            data.resources().add(resource(ConfigResource.Type.BROKER, "", config("y", AlterConfigOp.OpType.SET, "1")));
            data.resources().add(resource(ConfigResource.Type.BROKER, "1",
                    config("message.max.bytes", AlterConfigOp.OpType.SET, null)));
            data.resources().add(resource(ConfigResource.Type.BROKER_LOGGER, "1",
                    config("root", AlterConfigOp.OpType.SET, "DEBUG")));
            IncrementalAlterConfigsRequest request = new IncrementalAlterConfigsRequest.Builder(data).build(version);
            ApiMessage message = incremental.handle(context(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version), request).join();
            MessageUtil.toByteBufferAccessor(message, version);
            List<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse> responses =
                    ((IncrementalAlterConfigsResponseData) message).responses();
            assertEquals(Errors.NONE.code(), responses.get(0).errorCode());
            assertNull(responses.get(0).errorMessage());
            assertEquals(Errors.INVALID_REQUEST.code(), responses.get(1).errorCode());
            assertEquals("Each resource must appear at most once.", responses.get(1).errorMessage());
            assertEquals(Errors.INVALID_REQUEST.code(), responses.get(2).errorCode());
            assertEquals(Errors.INVALID_REQUEST.code(), responses.get(3).errorCode());
            assertEquals("Null value not supported for : message.max.bytes", responses.get(3).errorMessage());
            assertEquals(Errors.INVALID_CONFIG.code(), responses.get(4).errorCode());
            assertEquals("5000", ctx.topicConfigs("t").get("segment.ms"));
        }
    }

    @Test
    void legacyAlterOnEveryVersion() {
        for (short version = legacy.minVersion(); version <= legacy.maxVersion(); version++) {
            AlterConfigsRequestData data = new AlterConfigsRequestData().setValidateOnly(false);
            AlterConfigsRequestData.AlterConfigsResource topic = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("t");
            topic.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("7"));
            data.resources().add(topic);
            AlterConfigsRequestData.AlterConfigsResource logger = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER_LOGGER.id()).setResourceName("1");
            data.resources().add(logger);
            ApiMessage message = legacy.handle(context(ApiKeys.ALTER_CONFIGS, version),
                    new AlterConfigsRequest(data, version)).join();
            MessageUtil.toByteBufferAccessor(message, version);
            List<AlterConfigsResponseData.AlterConfigsResourceResponse> responses =
                    ((AlterConfigsResponseData) message).responses();
            assertEquals(Errors.NONE.code(), responses.get(0).errorCode());
            assertEquals(Errors.INVALID_REQUEST.code(), responses.get(1).errorCode());
            assertEquals(Map.of("retention.ms", "7"), ctx.topicConfigs("t"));
        }
    }

    private static IncrementalAlterConfigsRequestData.AlterConfigsResource resource(
            ConfigResource.Type type, String name, IncrementalAlterConfigsRequestData.AlterableConfig... configs) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(type.id()).setResourceName(name);
        for (IncrementalAlterConfigsRequestData.AlterableConfig config : configs) {
            resource.configs().add(config);
        }
        return resource;
    }

    private static IncrementalAlterConfigsRequestData.AlterableConfig config(String name, AlterConfigOp.OpType op,
                                                                             String value) {
        return new IncrementalAlterConfigsRequestData.AlterableConfig().setName(name).setValue(value)
                .setConfigOperation(op.id());
    }
}
