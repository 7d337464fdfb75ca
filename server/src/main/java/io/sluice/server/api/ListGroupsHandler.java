package io.sluice.server.api;

import io.sluice.coordinator.group.GroupCoordinator;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ListGroupsRequest;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** ListGroups v0-5: the groups this broker coordinates, filtered by state (v4+) and type (v5+). */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    private final GroupCoordinator coordinator;

    public ListGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListGroupsRequest request) {
        short version = context.apiVersion();
        List<String> states = version >= 4 ? request.data().statesFilter() : List.of();
        List<String> types = version >= 5 ? request.data().typesFilter() : List.of();
        return coordinator.listGroups(states, types).thenApply(groups -> {
            ListGroupsResponseData response = new ListGroupsResponseData();
            groups.forEach(g -> {
                ListGroupsResponseData.ListedGroup listed = new ListGroupsResponseData.ListedGroup()
                        .setGroupId(g.groupId()).setProtocolType(g.protocolType());
                if (version >= 4) {
                    listed.setGroupState(g.state());
                }
                if (version >= 5) {
                    listed.setGroupType(g.type());
                }
                response.groups().add(listed);
            });
            return response;
        });
    }
}
