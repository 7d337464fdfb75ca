package io.sluice.server.api;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one boundary where the config APIs turn a per-resource failure into an error code and message:
 * an {@link ApiException} keeps its code and message, anything else is logged and answered as
 * UNKNOWN_SERVER_ERROR without its message.
 */
final class ConfigErrors {

    private ConfigErrors() {
    }

    static ApiError toApiError(Throwable error, Logger log, String what) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiException) {
            return new ApiError(Errors.forException(cause), cause.getMessage());
        }
        log.error("Unexpected error in {}", what, cause);
        return new ApiError(Errors.UNKNOWN_SERVER_ERROR, null);
    }
}
