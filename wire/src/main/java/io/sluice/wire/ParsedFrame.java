package io.sluice.wire;

import org.apache.kafka.common.requests.RequestHeader;

/**
 * What a frame turned out to be.
 *
 * <pre>
 *   frame --parse--> Request                 (header and body decoded; handle it)
 *               \--> UnsupportedVersion      (header decoded, body version not servable: answer the error)
 *               \--> throws InvalidRequestFrameException (close the connection)
 * </pre>
 */
public sealed interface ParsedFrame {

    /** A request whose body decoded completely. */
    record Request(KafkaRequest request) implements ParsedFrame {
    }

    /**
     * A request of a known API whose version this broker cannot decode. Only ApiVersions gets an answer
     * (KIP-511: v0 layout with UNSUPPORTED_VERSION); the caller closes the connection for the others,
     * as Kafka's socket server does.
     */
    record UnsupportedVersion(RequestHeader header) implements ParsedFrame {
    }
}
