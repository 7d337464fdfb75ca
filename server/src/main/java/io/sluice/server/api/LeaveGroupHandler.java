package io.sluice.server.api;

import io.sluice.coordinator.group.GroupApi;
import io.sluice.coordinator.group.GroupCoordinator;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * LeaveGroup v0-5: one member before v3, a batch of members (by member id and/or group instance id) from v3 with
 * an error per member. Before v3 the member's error is the top-level error, as Kafka answers.
 */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {

    private final GroupCoordinator coordinator;

    public LeaveGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
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
    public CompletableFuture<ApiMessage> handle(RequestContext context, LeaveGroupRequest request) {
        short version = context.apiVersion();
        LeaveGroupRequestData data = request.data();
        List<GroupApi.LeavingMember> members = new ArrayList<>();
        if (version >= 3) {
            data.members().forEach(m -> members.add(new GroupApi.LeavingMember(m.memberId(), m.groupInstanceId())));
        } else {
            members.add(new GroupApi.LeavingMember(data.memberId(), null));
        }
        return coordinator.leaveGroup(data.groupId(), members).thenApply(result -> {
            LeaveGroupResponseData response = new LeaveGroupResponseData();
            if (version < 3) {
                Errors error = result.error() != Errors.NONE || result.members().isEmpty() ? result.error()
                        : result.members().get(0).error();
                return response.setErrorCode(error.code());
            }
            response.setErrorCode(result.error().code());
            result.members().forEach(m -> response.members().add(new LeaveGroupResponseData.MemberResponse()
                    .setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId()).setErrorCode(m.error().code())));
            return response;
        });
    }
}
