package io.sluice.server.config;

import io.sluice.server.metadata.Listener;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The settings that ask for something Sluice does not do yet and that would make it less safe than the user
 * believes if they were ignored: a TLS or SASL listener bound as plaintext, an authorizer that authorizes
 * nothing, connection limits that limit nothing. Each stops startup with a {@link ConfigException} naming the
 * key, instead of the warning an unknown key gets. Kafka's keys, Kafka's values; README's configuration
 * section lists them. Stateless.
 *
 * <pre>
 *   key                                     refused when
 *   listeners, advertised.listeners         a listener's security protocol is not PLAINTEXT
 *   security.inter.broker.protocol          set to anything but PLAINTEXT
 *   authorizer.class.name                   set, not empty
 *   zookeeper.set.acl                       true
 *   zookeeper.ssl.client.enable             true
 *   remote.log.storage.system.enable        true
 *   max.connections, max.connections.per.ip, max.connections.per.ip.overrides,
 *   max.connection.creation.rate            set
 * </pre>
 */
final class UnbuiltFeatures {

    /** One refused setting: its key, which raw values are refused, and what is missing. */
    private record Rule(String key, Predicate<String> refused, String missing) {
    }

    private static final Predicate<String> SET = value -> !value.isBlank();
    private static final Predicate<String> TRUE = value -> value.strip().equalsIgnoreCase("true");

    private static final List<Rule> RULES = List.of(
            new Rule("security.inter.broker.protocol", value -> !value.strip().equalsIgnoreCase("PLAINTEXT"),
                    "only PLAINTEXT is served (TLS and SASL are not built yet)"),
            new Rule("authorizer.class.name", SET,
                    "ACLs are not built yet: every request would be allowed"),
            new Rule("zookeeper.set.acl", TRUE,
                    "ZooKeeper ACLs are not built yet: znodes would be left open"),
            new Rule("zookeeper.ssl.client.enable", TRUE,
                    "TLS to ZooKeeper is not built yet: the connection would be plaintext"),
            new Rule("remote.log.storage.system.enable", TRUE,
                    "tiered storage is not built"),
            new Rule("max.connections", SET, "connection limits are not built yet"),
            new Rule("max.connections.per.ip", SET, "connection limits are not built yet"),
            new Rule("max.connections.per.ip.overrides", SET, "connection limits are not built yet"),
            new Rule("max.connection.creation.rate", SET, "connection limits are not built yet"));

    private UnbuiltFeatures() {
    }

    /**
     * @param originals the properties as given ({@code server.properties} and overrides)
     * @throws ConfigException naming the first key that asks for something not built
     */
    static void check(Map<?, ?> originals, List<Listener> listeners, List<Listener> advertisedListeners) {
        checkPlaintext(BrokerConfig.LISTENERS, listeners);
        checkPlaintext(BrokerConfig.ADVERTISED_LISTENERS, advertisedListeners);
        for (Rule rule : RULES) {
            Object value = originals.get(rule.key());
            if (value != null && rule.refused().test(String.valueOf(value))) {
                throw new ConfigException(rule.key(), value, rule.missing() + "; remove the setting");
            }
        }
    }

    private static void checkPlaintext(String key, List<Listener> listeners) {
        for (Listener listener : listeners) {
            if (listener.securityProtocol() != SecurityProtocol.PLAINTEXT) {
                throw new ConfigException(key, listener.toString(), "listener " + listener.name() + " has security protocol "
                        + listener.securityProtocol().name.toUpperCase(Locale.ROOT)
                        + ", which is not built yet (only PLAINTEXT listeners are served; binding it as plaintext would"
                        + " expose what the listener promises to protect)");
            }
        }
    }
}
