package io.sluice.server.api;

import io.sluice.wire.ApiVersionTable;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * ApiVersions (v0-4): the table built from the registered handlers. Requests for versions we cannot
 * decode are answered by the dispatcher in the v0 layout (KIP-511).
 */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {

    private final Supplier<ApiVersionTable> table;

    /** The table is supplied late because it includes this handler. */
    public ApiVersionsHandler(Supplier<ApiVersionTable> table) {
        this.table = table;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
        if (!request.isValid()) {
            // v3+: client software name and version must match [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
            return CompletableFuture.failedFuture(new InvalidRequestException("invalid client software name or version"));
        }
        ApiVersionsResponseData response = new ApiVersionsResponseData()
                .setErrorCode(Errors.NONE.code())
                .setApiKeys(table.get().toCollection());
        return CompletableFuture.completedFuture(response);
    }

    /** The KIP-511 answer to an ApiVersions version we cannot decode: v0 layout, our ApiVersions range only. */
    public static ApiVersionsResponseData unsupportedVersionResponse(ApiVersionTable table) {
        ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        table.range(ApiKeys.API_VERSIONS).ifPresent(r -> keys.add(new ApiVersionsResponseData.ApiVersion()
                .setApiKey(ApiKeys.API_VERSIONS.id).setMinVersion(r.minVersion()).setMaxVersion(r.maxVersion())));
        return new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setApiKeys(keys);
    }
}
