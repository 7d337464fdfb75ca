package io.sluice.server.api;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

import java.util.concurrent.CompletableFuture;

/**
 * Serves one API key: authorize, validate, delegate, respond. A handler holds no domain state of its
 * own and never blocks the event loop that calls it: disk syncs, ZooKeeper and waits come back as
 * futures. The versions it declares are exactly what ApiVersions advertises for its key.
 *
 * <p>Implementations are thread-safe; one instance serves every connection.
 *
 * @param <R> the request type kafka-clients parses this API into
 */
public interface ApiHandler<R extends AbstractRequest> {

    ApiKeys apiKey();

    /**
     * Lowest version this handler implements. Declared by each handler, never taken from kafka-clients, so a
     * kafka-clients upgrade cannot advertise versions nobody built (compat-tests pin the whole table).
     */
    short minVersion();

    /** Highest version this handler implements, every version in between included. */
    short maxVersion();

    /**
     * Handles one request. The future completes with the response body, or with {@code null} when the
     * API sends no response (Produce with acks=0). A future completed exceptionally is answered with the
     * request's error response, mapped by {@code Errors.forException}.
     */
    CompletableFuture<ApiMessage> handle(RequestContext context, R request);
}
