package io.sluice.server.metadata;


import java.util.List;
import java.util.Optional;

/**
 * A live broker as registered in {@code /brokers/ids/<id>}: its advertised endpoints and rack. Immutable.
 */
public record BrokerRegistration(int id, List<Listener> endpoints, String rack) {

    public Optional<Listener> endpoint(String listenerName) {
        return endpoints.stream().filter(l -> l.name().equals(listenerName)).findFirst();
    }
}
