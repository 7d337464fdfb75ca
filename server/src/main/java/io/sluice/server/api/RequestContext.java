package io.sluice.server.api;

import org.apache.kafka.common.requests.RequestHeader;

import java.net.InetAddress;

/**
 * Who sent a request and over what: the header, the listener, the client's address. Immutable.
 */
public record RequestContext(RequestHeader header, String listenerName, InetAddress clientAddress) {

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }
}
