package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.DescribedGroup;
import io.sluice.coordinator.group.GroupApi.DescribedMember;
import io.sluice.coordinator.group.GroupApi.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The admin side of classic groups, as the describe/list/delete part of Kafka's {@code GroupMetadataManager}:
 * DescribeGroups, ListGroups and DeleteGroups over the groups of the {@link GroupCoordinatorShard}. It changes
 * groups only through tombstones it appends and the shard's removal of a deleted group.
 *
 * <p>Threading: confined to the coordinator thread, as the shard.
 */
final class GroupAdminOperations {

    private static final Logger log = LoggerFactory.getLogger(GroupAdminOperations.class);

    private final AppendQueue appends;
    private final GroupCoordinatorShard shard;

    GroupAdminOperations(AppendQueue appends, GroupCoordinatorShard shard) {
        this.appends = appends;
        this.shard = shard;
    }

    DescribedGroup describeGroup(String groupId) {
        if (GroupCoordinatorShard.invalidGroupId(groupId)) {
            return new DescribedGroup(groupId, Errors.INVALID_GROUP_ID, "", "", "", List.of());
        }
        if (!shard.owns(groupId)) {
            return new DescribedGroup(groupId, Errors.NOT_COORDINATOR, "", "", "", List.of());
        }
        ClassicGroup group = shard.group(groupId);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            return new DescribedGroup(groupId, Errors.GROUP_ID_NOT_FOUND, ClassicGroupState.DEAD.toString(), "", "",
                    List.of());
        }
        boolean stable = group.isInState(ClassicGroupState.STABLE);
        List<DescribedMember> members = new ArrayList<>();
        for (ClassicGroupMember m : group.members()) {
            byte[] metadata = stable ? m.metadata(group.protocolName()) : null;
            members.add(new DescribedMember(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    metadata == null ? new byte[0] : metadata, stable ? m.assignment() : new byte[0]));
        }
        return new DescribedGroup(groupId, Errors.NONE, group.state().toString(),
                group.protocolType() == null ? "" : group.protocolType(),
                stable && group.protocolName() != null ? group.protocolName() : "", members);
    }

    /** Groups of the owned partitions, filtered by state and type names (case-insensitive; empty = all). */
    List<ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        Set<String> states = new HashSet<>();
        statesFilter.forEach(s -> states.add(s.toLowerCase(Locale.ROOT)));
        Set<String> types = new HashSet<>();
        typesFilter.forEach(t -> types.add(t.toLowerCase(Locale.ROOT)));
        List<ListedGroup> listed = new ArrayList<>();
        for (ClassicGroup group : shard.groups()) {
            if (!shard.owns(group.groupId()) || group.isInState(ClassicGroupState.DEAD)) {
                continue;
            }
            String state = group.state().toString();
            if ((states.isEmpty() || states.contains(state.toLowerCase(Locale.ROOT)))
                    && (types.isEmpty() || types.contains("classic"))) {
                listed.add(new ListedGroup(group.groupId(), group.protocolType() == null ? "" : group.protocolType(),
                        state, "classic"));
            }
        }
        return listed;
    }

    /** DeleteGroups: only Empty groups; their offsets and metadata are replaced by tombstones. */
    CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
        Map<String, Errors> results = new LinkedHashMap<>();
        Map<Integer, List<String>> deletable = new HashMap<>();
        for (String groupId : groupIds) {
            ClassicGroup group = GroupCoordinatorShard.invalidGroupId(groupId) ? null : shard.group(groupId);
            if (GroupCoordinatorShard.invalidGroupId(groupId)) {
                results.put(groupId, Errors.INVALID_GROUP_ID);
            } else if (!shard.owns(groupId)) {
                results.put(groupId, Errors.NOT_COORDINATOR);
            } else if (group == null || group.isInState(ClassicGroupState.DEAD)) {
                results.put(groupId, Errors.GROUP_ID_NOT_FOUND);
            } else if (!group.isInState(ClassicGroupState.EMPTY)) {
                results.put(groupId, Errors.NON_EMPTY_GROUP);
            } else {
                results.put(groupId, Errors.NONE);
                deletable.computeIfAbsent(shard.partitionFor(groupId), p -> new ArrayList<>()).add(groupId);
            }
        }
        CompletableFuture<Map<String, Errors>> future = new CompletableFuture<>();
        int[] outstanding = {deletable.size()};
        if (outstanding[0] == 0) {
            future.complete(results);
            return future;
        }
        deletable.forEach((partition, ids) -> {
            List<CoordinatorRecord> records = new ArrayList<>();
            ids.forEach(id -> {
                records.addAll(shard.offsets.tombstones(id));
                records.add(GroupRecords.groupMetadataTombstone(id));
            });
            appends.append(partition, records, error -> {
                for (String id : ids) {
                    if (error == Errors.NONE) {
                        shard.offsets.removeGroup(id);
                        shard.removeGroup(id);
                        log.info("Deleted group {}", id);
                    } else {
                        results.put(id, error);
                    }
                }
                if (--outstanding[0] == 0) {
                    future.complete(results);
                }
            });
        });
        return future;
    }
}
