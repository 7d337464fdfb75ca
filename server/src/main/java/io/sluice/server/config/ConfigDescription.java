package io.sluice.server.config;

import org.apache.kafka.common.config.ConfigDef;

import java.util.List;

/**
 * One config as DescribeConfigs shows it. Immutable.
 *
 * @param value         the effective value as a string; null when sensitive or unset
 * @param synonyms      every level that sets this config or a synonym of it, highest precedence first
 *                      (Kafka's order); the head's source is {@code source}
 * @param type          the config's type, or null when Sluice does not know the config
 * @param documentation the config's documentation, or null
 */
public record ConfigDescription(String name, String value, ConfigSource source, boolean sensitive, boolean readOnly,
                                List<Synonym> synonyms, ConfigDef.Type type, String documentation) {

    /** One level that sets a config or one of its synonyms. */
    public record Synonym(String name, String value, ConfigSource source) {
    }
}
