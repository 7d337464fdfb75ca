package io.sluice.server.config;

import io.sluice.server.metadata.MetadataImage;
import io.sluice.server.metadata.TopicMetadata;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What DescribeConfigs answers for a topic or a broker, computed from the static broker config and one
 * {@link MetadataImage}, following Kafka's {@code ConfigHelper}: the effective value of every config, its
 * source, and its synonyms from the highest level down (dynamic per broker, dynamic cluster default,
 * {@code server.properties}, Kafka's default), including Kafka's habit of starting the synonym list at
 * the config's own name (so {@code log.retention.hours=24} in {@code server.properties} is shown under
 * {@code retention.ms} as a default, exactly as Kafka shows it). Immutable and thread-safe.
 */
public final class ConfigDescriber {

    private final BrokerConfig broker;
    private final Map<String, String> staticConfigs;
    private final Map<String, String> staticDefaults;

    public ConfigDescriber(BrokerConfig broker) {
        this.broker = broker;
        this.staticConfigs = new HashMap<>(broker.staticConfigs());
        for (Map.Entry<String, Object> e : broker.originals().entrySet()) {
            if (!DynamicBrokerConfigs.isKnown(e.getKey()) && e.getValue() != null) {
                staticConfigs.put(e.getKey(), e.getValue().toString());
            }
        }
        this.staticDefaults = new HashMap<>();
        for (ConfigDef.ConfigKey key : BrokerConfig.DEF.configKeys().values()) {
            if (key.hasDefault() && key.defaultValue != null) {
                staticDefaults.put(key.name, ConfigDef.convertToString(key.defaultValue, key.type));
            }
        }
    }

    /**
     * Every topic config of {@code topic} (or only {@code keys} when not empty).
     *
     * @throws UnknownTopicOrPartitionException when the topic does not exist
     * @throws org.apache.kafka.common.errors.InvalidConfigurationException when a stored override is invalid
     */
    public List<ConfigDescription> describeTopic(MetadataImage image, String topic, Collection<String> keys,
                                                 boolean includeDocumentation) {
        TopicMetadata metadata = image.topic(topic).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Topic " + topic + " does not exist"));
        Map<String, String> overrides = metadata.configOverrides() == null ? Map.of() : metadata.configOverrides();
        Map<String, String> dynamicBroker = dynamicBroker(image);
        Map<String, String> dynamicDefault = dynamicDefault(image);
        Map<String, Object> values = TopicConfigs.resolve(broker,
                TopicConfigs.dynamicBrokerConfigs(image.brokerConfigOverrides(), broker.brokerId()), overrides);
        List<ConfigDescription> result = new ArrayList<>();
        for (String name : TopicConfigs.names()) {
            if (!selected(name, keys)) {
                continue;
            }
            ConfigDef.ConfigKey key = TopicConfigs.configKey(name).orElseThrow();
            String value = ConfigDef.convertToString(values.get(name), key.type);
            List<ConfigDescription.Synonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(name)) {
                synonyms.add(new ConfigDescription.Synonym(name, value, ConfigSource.TOPIC_CONFIG));
            }
            List<TopicConfigs.BrokerSynonym> brokerSynonyms = TopicConfigs.brokerSynonyms(name);
            if (!brokerSynonyms.isEmpty()) {
                String first = brokerSynonyms.get(0).name();
                synonyms.addAll(brokerSynonymChain(first, false, dynamicBroker, dynamicDefault, true));
            }
            ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
            result.add(new ConfigDescription(name, value, source, false, false, List.copyOf(synonyms), key.type,
                    includeDocumentation ? key.documentation : null));
        }
        return result;
    }

    /**
     * The configs of this broker ({@code perBroker}: every config with its effective value) or of the
     * cluster default ({@code /config/brokers/<default>}: only the configs set there).
     */
    public List<ConfigDescription> describeBroker(MetadataImage image, boolean perBroker, Collection<String> keys,
                                                  boolean includeDocumentation) {
        Map<String, String> dynamicBroker = dynamicBroker(image);
        Map<String, String> dynamicDefault = dynamicDefault(image);
        Set<String> names = new LinkedHashSet<>();
        if (perBroker) {
            for (ConfigDef.ConfigKey key : BrokerConfig.DEF.configKeys().values()) {
                if (!key.internalConfig) {
                    names.add(key.name);
                }
            }
            names.addAll(staticConfigs.keySet());
            names.addAll(dynamicDefault.keySet());
            names.addAll(dynamicBroker.keySet());
        } else {
            names.addAll(dynamicDefault.keySet());
        }
        List<ConfigDescription> result = new ArrayList<>();
        for (String name : names) {
            if (!selected(name, keys)) {
                continue;
            }
            ConfigDef.ConfigKey key = BrokerConfig.DEF.configKeys().get(name);
            ConfigDef.Type type = key == null ? null : key.type;
            // Kafka treats a config of unknown type as possibly sensitive and hides its value.
            boolean sensitive = type == null || type == ConfigDef.Type.PASSWORD;
            String raw = perBroker ? firstOf(name, dynamicBroker, dynamicDefault, staticConfigs, staticDefaults)
                    : dynamicDefault.get(name);
            String value = sensitive ? null : canonical(key, raw);
            List<ConfigDescription.Synonym> synonyms =
                    brokerSynonymChain(name, sensitive, dynamicBroker, dynamicDefault, perBroker);
            ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
            result.add(new ConfigDescription(name, value, source, sensitive, !DynamicBrokerConfigs.isDynamic(name),
                    synonyms, type, includeDocumentation && key != null ? key.documentation : null));
        }
        return result;
    }

    /**
     * Kafka's {@code ConfigHelper.configSynonyms}: the synonyms of {@code name} set at each level, level by
     * level, then everything before the first entry named {@code name} dropped. For the cluster default
     * ({@code perBroker} false) only the dynamic default level counts.
     */
    private List<ConfigDescription.Synonym> brokerSynonymChain(String name, boolean sensitive,
                                                               Map<String, String> dynamicBroker,
                                                               Map<String, String> dynamicDefault, boolean perBroker) {
        List<String> synonymNames = DynamicBrokerConfigs.synonyms(name);
        List<ConfigDescription.Synonym> all = new ArrayList<>();
        addLevel(all, synonymNames, dynamicBroker, ConfigSource.DYNAMIC_BROKER_CONFIG, sensitive);
        addLevel(all, synonymNames, dynamicDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, sensitive);
        addLevel(all, synonymNames, staticConfigs, ConfigSource.STATIC_BROKER_CONFIG, sensitive);
        addLevel(all, synonymNames, staticDefaults, ConfigSource.DEFAULT_CONFIG, sensitive);
        int start = 0;
        while (start < all.size() && !all.get(start).name().equals(name)) {
            start++;
        }
        List<ConfigDescription.Synonym> chain = new ArrayList<>();
        for (ConfigDescription.Synonym synonym : all.subList(start, all.size())) {
            if (perBroker || synonym.source() == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG) {
                chain.add(synonym);
            }
        }
        return List.copyOf(chain);
    }

    private static void addLevel(List<ConfigDescription.Synonym> out, List<String> names, Map<String, String> level,
                                 ConfigSource source, boolean sensitive) {
        for (String name : names) {
            String value = level.get(name);
            if (value != null) {
                out.add(new ConfigDescription.Synonym(name, sensitive ? null : value, source));
            }
        }
    }

    private Map<String, String> dynamicBroker(MetadataImage image) {
        return image.brokerConfigOverrides().getOrDefault(broker.brokerId(), Map.of());
    }

    private static Map<String, String> dynamicDefault(MetadataImage image) {
        return image.brokerConfigOverrides().getOrDefault(-1, Map.of());
    }

    @SafeVarargs
    private static String firstOf(String name, Map<String, String>... levels) {
        for (Map<String, String> level : levels) {
            String value = level.get(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** The value as Kafka prints a parsed config ("compact, delete" becomes "compact,delete"). */
    private static String canonical(ConfigDef.ConfigKey key, String raw) {
        if (key == null || raw == null) {
            return raw;
        }
        try {
            return ConfigDef.convertToString(ConfigDef.parseType(key.name, raw, key.type), key.type);
        } catch (RuntimeException e) {
            return raw;
        }
    }

    private static boolean selected(String name, Collection<String> keys) {
        return keys == null || keys.isEmpty() || keys.contains(name);
    }
}
