package io.sluice.server.api;

import io.sluice.coordinator.group.GroupApi;
import io.sluice.coordinator.group.GroupCoordinator;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * JoinGroup v0-9: MEMBER_ID_REQUIRED from v4 (KIP-394), static membership from v5, protocol type and name in the
 * answer from v7, skip-assignment for a static leader from v9 (KIP-814). The answer may wait for the rebalance.
 */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {

    private final GroupCoordinator coordinator;

    public JoinGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        JoinGroupRequestData data = request.data();
        List<GroupApi.Protocol> protocols = new ArrayList<>();
        data.protocols().forEach(p -> protocols.add(new GroupApi.Protocol(p.name(), p.metadata())));
        // v0 has no rebalance timeout: the session timeout is both.
        int rebalanceTimeoutMs = version == 0 ? data.sessionTimeoutMs() : data.rebalanceTimeoutMs();
        GroupApi.JoinRequest join = new GroupApi.JoinRequest(data.groupId(), data.memberId(), data.groupInstanceId(),
                data.protocolType(), protocols, data.sessionTimeoutMs(), rebalanceTimeoutMs, context.clientId(),
                context.clientAddress().toString(), version >= 4, version >= 9);
        return coordinator.joinGroup(join).thenApply(result -> response(version, result));
    }

    private static ApiMessage response(short version, GroupApi.JoinResult result) {
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setErrorCode(result.error().code())
                .setGenerationId(result.generationId())
                .setProtocolName(result.protocolName() == null && version < 7 ? "" : result.protocolName())
                .setLeader(result.leader() == null ? "" : result.leader())
                .setMemberId(result.memberId() == null ? "" : result.memberId());
        if (version >= 7) {
            response.setProtocolType(result.protocolType());
        }
        if (version >= 9) {
            response.setSkipAssignment(result.skipAssignment());
        }
        if (result.error() == Errors.NONE) {
            for (GroupApi.JoinMember m : result.members()) {
                response.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                        .setGroupInstanceId(version >= 5 ? m.groupInstanceId() : null).setMetadata(m.metadata()));
            }
        }
        return response;
    }
}
