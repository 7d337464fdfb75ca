package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One parsed request: its header, its typed body, and the frame the body's record fields still point
 * into. The owner calls {@link #release()} once the request is answered, never before, because
 * {@code MemoryRecords} in a Produce body are slices of {@link #frame()}.
 *
 * <p>Not thread-safe; handed from the event loop to one handler at a time.
 */
public record KafkaRequest(RequestHeader header, AbstractRequest body, int sizeInBytes, ByteBuf frame) {

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public int correlationId() {
        return header.correlationId();
    }

    public String clientId() {
        return header.clientId();
    }

    /** Gives the frame back to Netty's pool. Safe to call once only. */
    public void release() {
        frame.release();
    }
}
