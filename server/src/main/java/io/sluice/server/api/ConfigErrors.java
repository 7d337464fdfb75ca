package io.sluice.server.api;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The one boundary where the config APIs turn a per-resource failure into an error code and message:
 * an {@link ApiException} keeps its code and message, anything else is logged and answered as
 * UNKNOWN_SERVER_ERROR without its message.
 */
final class ConfigErrors {

    private ConfigErrors() {
    }

    /**
     * Alters every resource of an AlterConfigs or IncrementalAlterConfigs request and completes with one
     * error per resource, in request order. A resource named twice gets INVALID_REQUEST, as in Kafka; an
     * {@code alter} that throws fails only its own resource.
     *
     * @param key   {@code type/name} of a resource, which must be unique in the request
     * @param what  the API, for the log line of an unexpected failure
     */
    static <R> CompletableFuture<List<ApiError>> alterEach(List<R> resources, Function<R, String> key,
                                                           Function<R, CompletableFuture<Void>> alter,
                                                           Logger log, String what) {
        Map<String, Integer> counts = new HashMap<>();
        resources.forEach(r -> counts.merge(key.apply(r), 1, Integer::sum));
        List<CompletableFuture<ApiError>> results = new ArrayList<>();
        for (R resource : resources) {
            if (counts.get(key.apply(resource)) > 1) {
                results.add(CompletableFuture.completedFuture(
                        new ApiError(Errors.INVALID_REQUEST, "Each resource must appear at most once.")));
                continue;
            }
            CompletableFuture<Void> result;
            try {
                result = alter.apply(resource);
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            results.add(result.handle((ignored, error) -> error == null ? ApiError.NONE
                    : toApiError(error, log, what + " of " + key.apply(resource))));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> results.stream().map(CompletableFuture::join).toList());
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
