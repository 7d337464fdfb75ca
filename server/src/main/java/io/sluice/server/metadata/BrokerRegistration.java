package io.sluice.server.metadata;


import java.util.List;
import java.util.Optional;

/**
 * A live broker as registered in {@code /brokers/ids/<id>}: its advertised endpoints and rack. Immutable.
 *
 * @param epoch the broker epoch: the czxid of the registration znode, as Kafka's ZooKeeper mode, so a broker that
 *              restarted (a new znode) has a higher epoch than its previous life; -1 before it is registered
 */
public record BrokerRegistration(int id, List<Listener> endpoints, String rack, long epoch) {

    public BrokerRegistration(int id, List<Listener> endpoints, String rack) {
        this(id, endpoints, rack, -1L);
    }

    public BrokerRegistration withEpoch(long epoch) {
        return new BrokerRegistration(id, endpoints, rack, epoch);
    }

    public Optional<Listener> endpoint(String listenerName) {
        return endpoints.stream().filter(l -> l.name().equals(listenerName)).findFirst();
    }
}
