package io.sluice.server.api;

import io.sluice.coordinator.group.GroupApi;
import io.sluice.coordinator.group.GroupCoordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.HeartbeatRequest;

import java.util.concurrent.CompletableFuture;

/** Heartbeat v0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
public final class HeartbeatHandler implements ApiHandler<HeartbeatRequest> {

    private final GroupCoordinator coordinator;

    public HeartbeatHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
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
    public CompletableFuture<ApiMessage> handle(RequestContext context, HeartbeatRequest request) {
        HeartbeatRequestData data = request.data();
        return coordinator.heartbeat(new GroupApi.HeartbeatRequest(data.groupId(), data.generationId(), data.memberId(),
                data.groupInstanceId())).thenApply(error -> new HeartbeatResponseData().setErrorCode(error.code()));
    }
}
