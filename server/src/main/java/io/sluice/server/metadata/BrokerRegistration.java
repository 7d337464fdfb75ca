package io.sluice.server.metadata;


import java.util.List;
import java.util.Optional;

/**
 * A live broker as registered in {@code /brokers/ids/<id>}: its advertised endpoints and rack. Immutable.
 *
 * @param epoch         the broker epoch: the czxid of the registration znode, as Kafka's ZooKeeper mode, so a broker
 *                      that restarted (a new znode) has a higher epoch than its previous life; -1 before it is
 *                      registered
 * @param previousEpoch the epoch its previous life shut down cleanly in (read from every log dir's
 *                      {@code .kafka_cleanshutdown}, KIP-966's {@code PreviousBrokerEpoch}), or -1 after an unclean
 *                      shutdown, a lost or new log dir: the controller then takes it out of every ISR and ELR it was
 *                      in before this registration
 */
public record BrokerRegistration(int id, List<Listener> endpoints, String rack, long epoch, long previousEpoch) {

    public BrokerRegistration(int id, List<Listener> endpoints, String rack) {
        this(id, endpoints, rack, -1L, -1L);
    }

    public BrokerRegistration(int id, List<Listener> endpoints, String rack, long epoch) {
        this(id, endpoints, rack, epoch, -1L);
    }

    public BrokerRegistration withEpoch(long epoch) {
        return new BrokerRegistration(id, endpoints, rack, epoch, previousEpoch);
    }

    public BrokerRegistration withPreviousEpoch(long previousEpoch) {
        return new BrokerRegistration(id, endpoints, rack, epoch, previousEpoch);
    }

    /** Whether its previous life ended with a clean shutdown whose epoch is known. */
    public boolean shutDownCleanly() {
        return previousEpoch >= 0;
    }

    public Optional<Listener> endpoint(String listenerName) {
        return endpoints.stream().filter(l -> l.name().equals(listenerName)).findFirst();
    }
}
