package io.sluice.server.api;

import io.sluice.coordinator.group.GroupApi;
import io.sluice.coordinator.group.GroupCoordinator;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.SyncGroupRequest;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** SyncGroup v0-5: the leader sends the assignment; everyone waits for it. Protocol type/name checked from v5. */
public final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {

    private final GroupCoordinator coordinator;

    public SyncGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, SyncGroupRequest request) {
        short version = context.apiVersion();
        SyncGroupRequestData data = request.data();
        Map<String, byte[]> assignments = new HashMap<>();
        data.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        GroupApi.SyncRequest sync = new GroupApi.SyncRequest(data.groupId(), data.generationId(), data.memberId(),
                data.groupInstanceId(), version >= 5 ? data.protocolType() : null,
                version >= 5 ? data.protocolName() : null, assignments);
        return coordinator.syncGroup(sync).thenApply(result -> {
            SyncGroupResponseData response = new SyncGroupResponseData().setErrorCode(result.error().code())
                    .setAssignment(result.assignment() == null ? new byte[0] : result.assignment());
            if (version >= 5) {
                response.setProtocolType(result.protocolType()).setProtocolName(result.protocolName());
            }
            return response;
        });
    }
}
