package io.sluice.server.api;

import io.sluice.coordinator.group.GroupCoordinator;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

import java.util.concurrent.CompletableFuture;

/** DeleteGroups v0-2: Empty groups only (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND when unknown). */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {

    private final GroupCoordinator coordinator;

    public DeleteGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteGroupsRequest request) {
        return coordinator.deleteGroups(request.data().groupsNames()).thenApply(results -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            results.forEach((groupId, error) -> response.results().add(
                    new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId).setErrorCode(error.code())));
            return response;
        });
    }
}
