package io.sluice.server.api;

/**
 * Completes a handler's future to say: send no response and close this connection once the responses
 * before it are written. Kafka does this for a Produce with acks=0 that failed on some partition, so that
 * the producer, which expects no answer, notices and refreshes its metadata.
 */
public final class CloseConnectionException extends RuntimeException {

    public CloseConnectionException(String reason) {
        super(reason, null, false, false);
    }
}
