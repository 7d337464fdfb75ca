package io.sluice.server.api;

import io.sluice.wire.ApiVersionTable;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The handlers this broker runs, by API key, and the {@link ApiVersionTable} they imply. Immutable and
 * thread-safe once built.
 */
public final class HandlerRegistry {

    private final Map<ApiKeys, ApiHandler<?>> handlers = new EnumMap<>(ApiKeys.class);
    private final ApiVersionTable table;

    public HandlerRegistry(Collection<? extends ApiHandler<?>> all) {
        for (ApiHandler<?> handler : all) {
            if (handlers.put(handler.apiKey(), handler) != null) {
                throw new IllegalArgumentException("two handlers for " + handler.apiKey());
            }
        }
        List<ApiVersionTable.Range> ranges = handlers.values().stream()
                .map(h -> new ApiVersionTable.Range(h.apiKey(), h.minVersion(), h.maxVersion()))
                .toList();
        this.table = new ApiVersionTable(ranges);
    }

    public ApiHandler<?> handler(ApiKeys apiKey) {
        return handlers.get(apiKey);
    }

    public ApiVersionTable apiVersionTable() {
        return table;
    }
}
