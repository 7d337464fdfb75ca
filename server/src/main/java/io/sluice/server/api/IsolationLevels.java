package io.sluice.server.api;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The isolation level byte of Fetch and ListOffsets requests, read as a request field: kafka-clients'
 * {@code IsolationLevel.forId} throws IllegalArgumentException for an unknown byte, which would surface as
 * UNKNOWN_SERVER_ERROR (Kafka 4.3's answer, with a stack trace in its log); this is INVALID_REQUEST.
 * Stateless.
 */
final class IsolationLevels {

    private IsolationLevels() {
    }

    static IsolationLevel of(byte id) {
        return switch (id) {
            case 0 -> IsolationLevel.READ_UNCOMMITTED;
            case 1 -> IsolationLevel.READ_COMMITTED;
            default -> throw new InvalidRequestException("Unknown isolation level " + id);
        };
    }
}
