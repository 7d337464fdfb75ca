package io.sluice.server.api;

import io.sluice.coordinator.group.GroupCoordinator;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeGroups v0-6: an unknown group is state Dead, with GROUP_ID_NOT_FOUND from v6 (KIP-1043) and NONE
 * before, as Kafka answers.
 */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {

    /** Kafka's {@code AclEntry.supportedOperations(GROUP)}, returned when no authorizer is configured. */
    private static final int ALL_GROUP_OPERATIONS = List.of(AclOperation.READ,
            AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS)
            .stream().mapToInt(op -> 1 << op.code()).sum();

    private final GroupCoordinator coordinator;

    public DescribeGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeGroupsRequest request) {
        short version = context.apiVersion();
        boolean includeOps = request.data().includeAuthorizedOperations();
        return coordinator.describeGroups(request.data().groups()).thenApply(groups -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            groups.forEach(g -> {
                Errors error = g.error() == Errors.GROUP_ID_NOT_FOUND && version < 6 ? Errors.NONE : g.error();
                DescribeGroupsResponseData.DescribedGroup group = new DescribeGroupsResponseData.DescribedGroup()
                        .setGroupId(g.groupId()).setErrorCode(error.code()).setGroupState(g.state())
                        .setProtocolType(g.protocolType()).setProtocolData(g.protocolName());
                if (version >= 6 && error != Errors.NONE) {
                    group.setErrorMessage(error == Errors.GROUP_ID_NOT_FOUND
                            ? "Group " + g.groupId() + " not found." : error.message());
                }
                if (includeOps && version >= 3) {
                    group.setAuthorizedOperations(ALL_GROUP_OPERATIONS);
                }
                g.members().forEach(m -> group.members().add(new DescribeGroupsResponseData.DescribedGroupMember()
                        .setMemberId(m.memberId()).setGroupInstanceId(version >= 4 ? m.groupInstanceId() : null)
                        .setClientId(m.clientId()).setClientHost(m.clientHost())
                        .setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment())));
                response.groups().add(group);
            });
            return response;
        });
    }
}
