package io.sluice.server.config;

import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DynamicConfigManagerTest {

    private static DynamicConfigManager.Op op(String name, OpType type, String value) {
        return new DynamicConfigManager.Op(name, type, value);
    }

    private static ApiException failure(CompletableFuture<Void> future) {
        CompletionException e = assertThrows(CompletionException.class, future::join);
        return assertInstanceOf(ApiException.class, e.getCause());
    }

    @Test
    void incrementalTopicOperations() {
        ConfigTestContext ctx = new ConfigTestContext().withTopic("t", Map.of("retention.ms", "1000"));
        ctx.manager.incrementalAlterTopic("t", List.of(op("segment.ms", OpType.SET, "5000"),
                op("retention.ms", OpType.DELETE, null), op("cleanup.policy", OpType.APPEND, "compact")), false).join();
        // APPEND starts from the default, "delete".
        assertEquals(Map.of("segment.ms", "5000", "cleanup.policy", "delete,compact"), ctx.topicConfigs("t"));
        ctx.manager.incrementalAlterTopic("t", List.of(op("cleanup.policy", OpType.SUBTRACT, "delete")), false).join();
        assertEquals("compact", ctx.topicConfigs("t").get("cleanup.policy"));
    }

    @Test
    void validateOnlyWritesNothing() {
        ConfigTestContext ctx = new ConfigTestContext().withTopic("t", Map.of());
        ctx.manager.incrementalAlterTopic("t", List.of(op("retention.ms", OpType.SET, "5")), true).join();
        assertEquals(Map.of(), ctx.topicConfigs("t"));
    }

    @Test
    void topicErrors() {
        ConfigTestContext ctx = new ConfigTestContext().withTopic("t", Map.of());
        assertInstanceOf(InvalidConfigurationException.class, failure(ctx.manager.incrementalAlterTopic("t",
                List.of(op("no.such", OpType.SET, "1")), false)));
        assertInstanceOf(InvalidConfigurationException.class, failure(ctx.manager.incrementalAlterTopic("t",
                List.of(op("retention.ms", OpType.SET, "abc")), false)));
        ApiException append = failure(ctx.manager.incrementalAlterTopic("t",
                List.of(op("retention.ms", OpType.APPEND, "1")), false));
        assertEquals("Can't APPEND to key retention.ms because its type is not LIST.", append.getMessage());
        assertInstanceOf(UnknownTopicOrPartitionException.class, failure(ctx.manager.incrementalAlterTopic("nope",
                List.of(op("retention.ms", OpType.SET, "1")), false)));
        assertEquals(Map.of(), ctx.topicConfigs("t"));
    }

    @Test
    void legacyAlterReplacesTheWholeSet() {
        ConfigTestContext ctx = new ConfigTestContext().withTopic("t", Map.of("retention.ms", "1000"));
        ctx.manager.replaceTopic("t", Map.of("segment.ms", "5000"), false).join();
        assertEquals(Map.of("segment.ms", "5000"), ctx.topicConfigs("t"));
    }

    @Test
    void brokerConfigsPerBrokerAndClusterDefault() {
        ConfigTestContext ctx = new ConfigTestContext();
        ctx.manager.incrementalAlterBroker("1", List.of(op("log.retention.ms", OpType.SET, "1000")), false).join();
        ctx.manager.incrementalAlterBroker("", List.of(op("message.max.bytes", OpType.SET, "2000")), false).join();
        assertEquals(Map.of("log.retention.ms", "1000"), ctx.brokerConfigs(1));
        assertEquals(Map.of("message.max.bytes", "2000"), ctx.brokerConfigs(-1));
        // Unknown names are stored, as Kafka stores them.
        ctx.manager.replaceBroker("", Map.of("custom.plugin.setting", "x"), false).join();
        assertEquals(Map.of("custom.plugin.setting", "x"), ctx.brokerConfigs(-1));
    }

    @Test
    void brokerErrorsAreInvalidRequestLikeKafka() {
        ConfigTestContext ctx = new ConfigTestContext();
        ApiException readOnly = failure(ctx.manager.incrementalAlterBroker("1",
                List.of(op("log.dirs", OpType.SET, "/x")), false));
        assertInstanceOf(InvalidRequestException.class, readOnly);
        assertEquals("Cannot update these configs dynamically: [log.dirs]", readOnly.getMessage());
        ApiException badValue = failure(ctx.manager.incrementalAlterBroker("",
                List.of(op("log.retention.ms", OpType.SET, "abc")), false));
        assertInstanceOf(InvalidRequestException.class, badValue);
        assertTrue(badValue.getMessage().contains("log.retention.ms"), badValue.getMessage());
        ApiException tooSmall = failure(ctx.manager.incrementalAlterBroker("",
                List.of(op("log.segment.bytes", OpType.SET, "10")), false));
        assertTrue(tooSmall.getMessage().contains("log.segment.bytes"), tooSmall.getMessage());
        assertThrows(InvalidRequestException.class, () -> ctx.manager.brokerEntity("2"));
        assertThrows(InvalidRequestException.class, () -> ctx.manager.brokerEntity("x"));
        assertInstanceOf(InvalidConfigurationException.class, failure(ctx.manager.incrementalAlterBroker("1",
                List.of(op("message.max.bytes", OpType.APPEND, "1")), false)));
        assertEquals(Map.of(), ctx.brokerConfigs(1));
    }

    @Test
    void alterationsDoNotLoseEachOthersKeys() {
        ConfigTestContext ctx = new ConfigTestContext().withTopic("t", Map.of());
        CompletableFuture<?>[] all = new CompletableFuture<?>[20];
        for (int i = 0; i < all.length; i++) {
            all[i] = ctx.manager.incrementalAlterTopic("t",
                    List.of(op(i % 2 == 0 ? "retention.ms" : "segment.ms", OpType.SET, String.valueOf(i + 1))), false);
        }
        CompletableFuture.allOf(all).join();
        assertEquals(Map.of("retention.ms", "19", "segment.ms", "20"), ctx.topicConfigs("t"));
    }
}
