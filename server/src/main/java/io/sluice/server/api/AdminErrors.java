package io.sluice.server.api;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The error boundary of the topic admin handlers: a failure of one topic becomes that topic's
 * {@link ApiError}. A kafka-clients {@link ApiException} keeps its code and message; anything else is
 * logged and answered as UNKNOWN_SERVER_ERROR without its message. Also the authorized-operations bit
 * fields Kafka returns when no authorizer is configured (every operation the resource type supports).
 */
final class AdminErrors {

    private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

    /** Kafka's {@code AclEntry.supportedOperations(TOPIC)}. */
    static final int ALL_TOPIC_OPERATIONS = bitField(List.of(AclOperation.READ, AclOperation.WRITE,
            AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS));
    /** Kafka's {@code AclEntry.supportedOperations(CLUSTER)}. */
    static final int ALL_CLUSTER_OPERATIONS = bitField(List.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE,
            AclOperation.ALTER, AclOperation.DESCRIBE));

    private AdminErrors() {
    }

    static ApiError toApiError(Throwable error, String what) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiException) {
            return ApiError.fromThrowable(cause);
        }
        log.error("Unexpected error while handling {}", what, cause);
        return new ApiError(Errors.UNKNOWN_SERVER_ERROR, null);
    }

    private static int bitField(List<AclOperation> operations) {
        Set<Byte> codes = operations.stream().map(AclOperation::code).collect(Collectors.toSet());
        return Utils.to32BitField(codes);
    }
}
