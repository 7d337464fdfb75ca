package io.sluice.wire;

/**
 * A frame that cannot be understood: unknown API key, or a header or body that does not parse. The
 * connection that sent it is closed, as Kafka does; nothing else is affected.
 */
public final class InvalidRequestFrameException extends RuntimeException {
    public InvalidRequestFrameException(String message) {
        super(message);
    }

    public InvalidRequestFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
