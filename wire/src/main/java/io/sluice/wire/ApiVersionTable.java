package io.sluice.wire;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The API ranges this broker advertises, built from the registered handlers and never by hand, so
 * nothing is advertised that is not served. Immutable and thread-safe.
 */
public final class ApiVersionTable {

    /** The versions of one API that a handler serves. */
    public record Range(ApiKeys apiKey, short minVersion, short maxVersion) {
        public Range {
            if (minVersion > maxVersion) {
                throw new IllegalArgumentException(apiKey + ": min version " + minVersion + " > max " + maxVersion);
            }
            // A version the pinned kafka-clients cannot decode cannot be served, whatever a handler claims.
            if (minVersion < apiKey.oldestVersion() || maxVersion > apiKey.latestVersion(true)) {
                throw new IllegalArgumentException(apiKey + " " + minVersion + "-" + maxVersion
                        + " is outside what kafka-clients can decode, " + apiKey.oldestVersion() + "-"
                        + apiKey.latestVersion(true));
            }
        }

        public boolean contains(short version) {
            return version >= minVersion && version <= maxVersion;
        }
    }

    private final Map<ApiKeys, Range> ranges = new EnumMap<>(ApiKeys.class);
    private final ApiVersionCollection collection = new ApiVersionCollection();

    public ApiVersionTable(Collection<Range> served) {
        for (Range range : served) {
            if (ranges.put(range.apiKey(), range) != null) {
                throw new IllegalArgumentException("two handlers for " + range.apiKey());
            }
        }
        ranges.values().forEach(r -> collection.add(new ApiVersion()
                .setApiKey(r.apiKey().id)
                .setMinVersion(advertisedMin(r))
                .setMaxVersion(r.maxVersion())));
    }

    public Optional<Range> range(ApiKeys apiKey) {
        return Optional.ofNullable(ranges.get(apiKey));
    }

    public boolean isServed(ApiKeys apiKey, short version) {
        Range range = ranges.get(apiKey);
        return range != null && range.contains(version);
    }

    /** A fresh copy of the advertised ranges, for one ApiVersions response. */
    public ApiVersionCollection toCollection() {
        return collection.duplicate();
    }

    /**
     * Kafka advertises Produce from v0 although it serves v3 and up: librdkafka only enables
     * compression when the broker lists v0 (KAFKA-18659). Requests for v0-2 still close the connection,
     * since they cannot be decoded.
     */
    private static short advertisedMin(Range range) {
        return range.apiKey() == ApiKeys.PRODUCE ? 0 : range.minVersion();
    }
}
