package io.sluice.server.metadata;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One entry of {@code listeners} or {@code advertised.listeners}: {@code NAME://host:port}. An empty
 * host binds every interface, as in Kafka. Immutable.
 */
public record Listener(String name, SecurityProtocol securityProtocol, String host, int port) {

    public Listener withPort(int boundPort) {
        return new Listener(name, securityProtocol, host, boundPort);
    }

    /**
     * Parses a comma-separated listener list.
     *
     * @param key              the config key, named in errors
     * @param protocolMap      {@code listener.security.protocol.map}
     */
    public static List<Listener> parseList(String key, String value, Map<String, SecurityProtocol> protocolMap) {
        List<Listener> listeners = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return listeners;
        }
        for (String entry : value.split(",")) {
            String trimmed = entry.trim();
            int sep = trimmed.indexOf("://");
            int colon = trimmed.lastIndexOf(':');
            if (sep <= 0 || colon <= sep + 2) {
                throw new ConfigException(key, value, "listener '" + trimmed + "' is not of the form NAME://host:port");
            }
            String name = trimmed.substring(0, sep).toUpperCase(Locale.ROOT);
            String host = trimmed.substring(sep + 3, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(trimmed.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "listener '" + trimmed + "' has no valid port");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(key, value, "listener '" + trimmed + "' has port out of range");
            }
            SecurityProtocol protocol = protocolMap.get(name);
            if (protocol == null) {
                throw new ConfigException(key, value, "listener name " + name
                        + " is not in listener.security.protocol.map");
            }
            if (listeners.stream().anyMatch(l -> l.name().equals(name))) {
                throw new ConfigException(key, value, "listener name " + name + " appears more than once");
            }
            listeners.add(new Listener(name, protocol, host, port));
        }
        return listeners;
    }

    @Override
    public String toString() {
        return name + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
