package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.HeartbeatRequest;
import io.sluice.coordinator.group.GroupApi.JoinMember;
import io.sluice.coordinator.group.GroupApi.JoinRequest;
import io.sluice.coordinator.group.GroupApi.JoinResult;
import io.sluice.coordinator.group.GroupApi.LeaveResult;
import io.sluice.coordinator.group.GroupApi.LeavingMember;
import io.sluice.coordinator.group.GroupApi.MemberLeaveResult;
import io.sluice.coordinator.group.GroupApi.Protocol;
import io.sluice.coordinator.group.GroupApi.SyncRequest;
import io.sluice.coordinator.group.GroupApi.SyncResult;
import io.sluice.coordinator.group.GroupRecords.GroupMetadataValue;
import io.sluice.coordinator.group.GroupRecords.MemberMetadata;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * The classic group protocol for every group of the {@code __consumer_offsets} partitions this broker leads,
 * as the classic half of Kafka's {@code GroupMetadataManager}: JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * heartbeat/join/sync timeouts, loading and unloading partitions. Offsets are the {@link OffsetManager}'s,
 * DescribeGroups, ListGroups and DeleteGroups the {@link GroupAdminOperations}'.
 *
 * <p>Threading: confined to one coordinator thread (no locks); every method is called on it, timer tasks and
 * append callbacks run on it. Parked JoinGroup/SyncGroup answers are futures completed later on that thread.
 */
final class GroupCoordinatorShard {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinatorShard.class);

    private final GroupConfig config;
    private final Time time;
    private final CoordinatorTimer timer;
    private final AppendQueue appends;
    private final IntSupplier numPartitions;
    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final Set<Integer> ownedPartitions = new HashSet<>();
    final OffsetManager offsets;
    final GroupAdminOperations admin;

    GroupCoordinatorShard(GroupConfig config, Time time, CoordinatorTimer timer, AppendQueue appends,
                          IntSupplier numPartitions) {
        this.config = config;
        this.time = time;
        this.timer = timer;
        this.appends = appends;
        this.numPartitions = numPartitions;
        this.offsets = new OffsetManager(config, time, appends, this);
        this.admin = new GroupAdminOperations(appends, this);
    }

    // ---------------------------------------------------------------- offsets expiration

    /**
     * Starts the periodic expiry of committed offsets (Kafka's {@code scheduleGroupMetadataExpiration}): every
     * {@code offsets.retention.check.interval.ms} on the coordinator timer, so tests drive it with their clock.
     * Call once, on the coordinator thread.
     */
    void scheduleOffsetsExpiration() {
        timer.schedule(OFFSETS_EXPIRATION_KEY, config.offsetsRetentionCheckIntervalMs(), () -> {
            try {
                offsets.expireOffsets();
            } catch (RuntimeException e) {
                log.error("Failed to expire committed offsets", e);
            } finally {
                scheduleOffsetsExpiration();
            }
        });
    }

    // ---------------------------------------------------------------- ownership

    /** Kafka's {@code partitionFor}: {@code abs(groupId.hashCode()) % partitions} of {@code __consumer_offsets}. */
    int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % numPartitions.getAsInt();
    }

    boolean owns(String groupId) {
        return ownedPartitions.contains(partitionFor(groupId));
    }

    Set<Integer> ownedPartitions() {
        return ownedPartitions;
    }

    /** Loads a partition's records (replay), then serves its groups; heartbeats of loaded members restart. */
    void load(int partition, Iterable<GroupRecords.Decoded> records) {
        int groupRecords = 0;
        int offsetRecords = 0;
        for (GroupRecords.Decoded record : records) {
            if (record instanceof GroupRecords.GroupRecord g) {
                replayGroup(g.groupId(), g.value());
                groupRecords++;
            } else if (record instanceof GroupRecords.OffsetRecord o) {
                if (o.value() != null) {
                    getOrCreateGroup(o.groupId());
                }
                offsets.replay(o.groupId(), o.topic(), o.partition(), o.value());
                offsetRecords++;
            }
        }
        ownedPartitions.add(partition);
        for (ClassicGroup group : List.copyOf(groups.values())) {
            if (partitionFor(group.groupId()) != partition) {
                continue;
            }
            if (group.numMembers() == 0 && !offsets.hasOffsets(group.groupId()) && group.protocolType() == null) {
                groups.remove(group.groupId());
                continue;
            }
            group.members().forEach(m -> rescheduleHeartbeat(group, m, m.sessionTimeoutMs()));
        }
        log.info("Loaded __consumer_offsets-{}: {} group and {} offset records", partition, groupRecords, offsetRecords);
    }

    /** Stops serving a partition: parked requests are answered NOT_COORDINATOR and its groups are dropped. */
    void unload(int partition) {
        if (!ownedPartitions.remove(partition)) {
            return;
        }
        for (ClassicGroup group : List.copyOf(groups.values())) {
            if (partitionFor(group.groupId()) != partition) {
                continue;
            }
            for (ClassicGroupMember member : group.members()) {
                member.completeJoin(JoinResult.error(Errors.NOT_COORDINATOR, member.memberId()));
                member.completeSync(SyncResult.error(Errors.NOT_COORDINATOR));
                timer.cancel(heartbeatKey(group.groupId(), member.memberId()));
            }
            group.pendingMembers().forEach(id -> timer.cancel(heartbeatKey(group.groupId(), id)));
            timer.cancel(joinKey(group.groupId()));
            timer.cancel(syncKey(group.groupId()));
            groups.remove(group.groupId());
            offsets.removeGroup(group.groupId());
        }
        log.info("Unloaded __consumer_offsets-{}", partition);
    }

    private void replayGroup(String groupId, GroupMetadataValue value) {
        if (value == null) {
            groups.remove(groupId);
            return;
        }
        ClassicGroup group = new ClassicGroup(groupId, value.currentStateTimestampMs());
        group.setProtocolType(value.protocolType() == null || value.protocolType().isEmpty() ? null : value.protocolType());
        group.setGenerationId(value.generation());
        group.setProtocolName(value.protocol());
        for (MemberMetadata m : value.members()) {
            ClassicGroupMember member = new ClassicGroupMember(m.memberId(), m.groupInstanceId(), m.clientId(),
                    m.clientHost(), m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), group.protocolType(),
                    List.of(new Protocol(value.protocol(), m.subscription())));
            member.setAssignment(m.assignment());
            group.add(member);
        }
        group.setLeaderId(value.members().isEmpty() ? null : value.leader());
        long stateTimestamp = value.currentStateTimestampMs() < 0 ? time.milliseconds() : value.currentStateTimestampMs();
        group.loadState(value.members().isEmpty() ? ClassicGroupState.EMPTY : ClassicGroupState.STABLE, stateTimestamp);
        groups.put(groupId, group);
    }

    ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    /** The group, created Empty (a simple group for offsets only) when missing. */
    ClassicGroup getOrCreateGroup(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, time.milliseconds()));
    }

    void removeGroup(String groupId) {
        ClassicGroup group = groups.remove(groupId);
        if (group != null && !group.isInState(ClassicGroupState.DEAD)) {
            group.transitionTo(ClassicGroupState.DEAD, time.milliseconds());
        }
    }

    Iterable<ClassicGroup> groups() {
        return List.copyOf(groups.values());
    }

    static boolean invalidGroupId(String groupId) {
        return groupId == null || groupId.isEmpty();
    }

    // ---------------------------------------------------------------- JoinGroup

    CompletableFuture<JoinResult> joinGroup(JoinRequest request) {
        CompletableFuture<JoinResult> future = new CompletableFuture<>();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (invalidGroupId(request.groupId())) {
            return done(future, JoinResult.error(Errors.INVALID_GROUP_ID, memberId));
        }
        if (!owns(request.groupId())) {
            return done(future, JoinResult.error(Errors.NOT_COORDINATOR, memberId));
        }
        if (request.sessionTimeoutMs() < config.groupMinSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.groupMaxSessionTimeoutMs()) {
            return done(future, JoinResult.error(Errors.INVALID_SESSION_TIMEOUT, memberId));
        }
        boolean unknownMember = memberId.isEmpty();
        ClassicGroup group = groups.get(request.groupId());
        boolean created = false;
        if (group == null) {
            if (!unknownMember) {
                return done(future, JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
            }
            group = getOrCreateGroup(request.groupId());
            created = true;
        }
        if (!acceptJoiningMember(group, memberId)) {
            future.complete(JoinResult.error(Errors.GROUP_MAX_SIZE_REACHED, memberId));
        } else if (unknownMember) {
            joinUnknownMember(group, request, future);
        } else {
            joinKnownMember(group, request, memberId, future);
        }
        if (created && group.numMembers() == 0 && group.pendingMembers().isEmpty() && future.isDone()
                && future.join().error() != Errors.MEMBER_ID_REQUIRED && !offsets.hasOffsets(group.groupId())) {
            groups.remove(group.groupId());
        }
        return future;
    }

    private static <T> CompletableFuture<T> done(CompletableFuture<T> future, T value) {
        future.complete(value);
        return future;
    }

    /** Kafka's {@code acceptJoiningMember}: {@code group.max.size} counts members (awaiting join while preparing). */
    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        return switch (group.state()) {
            case EMPTY, DEAD -> true;
            case PREPARING_REBALANCE -> (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                    || group.members().stream().filter(ClassicGroupMember::isAwaitingJoin).count() < config.groupMaxSize();
            case COMPLETING_REBALANCE, STABLE -> group.hasMember(memberId) || group.numMembers() < config.groupMaxSize();
        };
    }

    private void joinUnknownMember(ClassicGroup group, JoinRequest request, CompletableFuture<JoinResult> future) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            future.complete(JoinResult.error(Errors.COORDINATOR_NOT_AVAILABLE, ""));
            return;
        }
        if (!group.supportsProtocols(request.protocolType(), request.protocols())) {
            future.complete(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, ""));
            return;
        }
        String newMemberId = request.clientId() + "-" + UUID.randomUUID();
        if (request.groupInstanceId() != null) {
            String existing = group.staticMemberId(request.groupInstanceId());
            if (existing != null) {
                updateStaticMemberThenRebalanceOrCompleteJoin(group, request, existing, newMemberId, future);
            } else {
                addMemberThenRebalanceOrCompleteJoin(group, request, newMemberId, future);
            }
        } else if (request.requireKnownMemberId()) {
            // KIP-394: the member must come back with this id; until then it only holds a place in the group.
            group.pendingMembers().add(newMemberId);
            rescheduleHeartbeat(group, newMemberId, request.sessionTimeoutMs());
            future.complete(JoinResult.error(Errors.MEMBER_ID_REQUIRED, newMemberId));
        } else {
            addMemberThenRebalanceOrCompleteJoin(group, request, newMemberId, future);
        }
    }

    private void joinKnownMember(ClassicGroup group, JoinRequest request, String memberId,
                                 CompletableFuture<JoinResult> future) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            future.complete(JoinResult.error(Errors.COORDINATOR_NOT_AVAILABLE, memberId));
            return;
        }
        if (group.isPendingMember(memberId)) {
            if (!group.supportsProtocols(request.protocolType(), request.protocols())) {
                future.complete(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
                return;
            }
            addMemberThenRebalanceOrCompleteJoin(group, request, memberId, future);
            return;
        }
        Errors memberError = validateMember(group, memberId, request.groupInstanceId());
        if (memberError != Errors.NONE) {
            future.complete(JoinResult.error(memberError, memberId));
            return;
        }
        if (!group.supportsProtocols(request.protocolType(), request.protocols())) {
            future.complete(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberThenRebalanceOrCompleteJoin(group, member, request, future);
            case COMPLETING_REBALANCE -> {
                if (member.matches(request.protocols())) {
                    // The member did not receive the join answer: send it again.
                    future.complete(currentJoinResult(group, memberId, false));
                } else {
                    updateMemberThenRebalanceOrCompleteJoin(group, member, request, future);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.matches(request.protocols())) {
                    updateMemberThenRebalanceOrCompleteJoin(group, member, request, future);
                } else {
                    rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
                    future.complete(currentJoinResult(group, memberId, false));
                }
            }
            case EMPTY, DEAD -> future.complete(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
    }

    /** UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID (a static member whose instance id now has another member id). */
    private static Errors validateMember(ClassicGroup group, String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String existing = group.staticMemberId(groupInstanceId);
            if (existing != null && !existing.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        return group.hasMember(memberId) ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }

    private JoinResult currentJoinResult(ClassicGroup group, String memberId, boolean skipAssignment) {
        List<JoinMember> members = group.isLeader(memberId) ? currentMembers(group) : List.of();
        return new JoinResult(Errors.NONE, group.generationId(), group.protocolType(), group.protocolName(),
                group.leaderId(), skipAssignment, memberId, members);
    }

    private static List<JoinMember> currentMembers(ClassicGroup group) {
        List<JoinMember> members = new ArrayList<>(group.numMembers());
        for (ClassicGroupMember m : group.members()) {
            byte[] metadata = m.metadata(group.protocolName());
            members.add(new JoinMember(m.memberId(), m.groupInstanceId(), metadata == null ? new byte[0] : metadata));
        }
        return members;
    }

    private void addMemberThenRebalanceOrCompleteJoin(ClassicGroup group, JoinRequest request, String memberId,
                                                      CompletableFuture<JoinResult> future) {
        ClassicGroupMember member = new ClassicGroupMember(memberId, request.groupInstanceId(), request.clientId(),
                request.clientHost(), request.rebalanceTimeoutMs(), request.sessionTimeoutMs(), request.protocolType(),
                request.protocols());
        member.setNew(true);
        member.setAwaitingJoin(future);
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE) && group.generationId() == 0) {
            group.newMemberAdded = true;
        }
        group.add(member);
        // A new member's join may wait longer than its session timeout (Kafka's new member join timeout).
        rescheduleHeartbeat(group, member, config.newMemberJoinTimeoutMs());
        maybePrepareRebalanceOrCompleteJoin(group, "Adding new member " + memberId);
    }

    private void updateMemberThenRebalanceOrCompleteJoin(ClassicGroup group, ClassicGroupMember member,
                                                         JoinRequest request, CompletableFuture<JoinResult> future) {
        member.update(request.protocols(), request.rebalanceTimeoutMs(), request.sessionTimeoutMs());
        if (member.isAwaitingJoin()) {
            // A second join from the same member replaces the first, which must still be answered.
            member.completeJoin(JoinResult.error(Errors.REBALANCE_IN_PROGRESS, member.memberId()));
        }
        member.setAwaitingJoin(future);
        maybePrepareRebalanceOrCompleteJoin(group, "Updating metadata for member " + member.memberId());
    }

    private void updateStaticMemberThenRebalanceOrCompleteJoin(ClassicGroup group, JoinRequest request,
                                                               String oldMemberId, String newMemberId,
                                                               CompletableFuture<JoinResult> future) {
        ClassicGroupMember oldMember = group.member(oldMemberId);
        // The old member id is fenced: whatever it waits for is answered FENCED_INSTANCE_ID.
        oldMember.completeJoin(JoinResult.error(Errors.FENCED_INSTANCE_ID, oldMemberId));
        oldMember.completeSync(SyncResult.error(Errors.FENCED_INSTANCE_ID));
        timer.cancel(heartbeatKey(group.groupId(), oldMemberId));
        List<Protocol> oldProtocols = oldMember.protocols();
        int oldRebalanceTimeout = oldMember.rebalanceTimeoutMs();
        int oldSessionTimeout = oldMember.sessionTimeoutMs();
        ClassicGroupMember member = group.replaceStaticMember(request.groupInstanceId(), oldMemberId, newMemberId);
        member.update(request.protocols(), request.rebalanceTimeoutMs(), request.sessionTimeoutMs());
        member.setAwaitingJoin(future);
        rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
        switch (group.state()) {
            case STABLE -> {
                if (group.protocolName() != null && group.protocolName().equals(group.selectProtocol())) {
                    // The selected protocol does not change: persist the new member id, no rebalance.
                    List<CoordinatorRecord> records = List.of(groupMetadataRecord(group, null));
                    int generation = group.generationId();
                    appends.append(partitionFor(group.groupId()), records, error -> {
                        if (error != Errors.NONE) {
                            if (group.hasMember(newMemberId)) {
                                member.update(oldProtocols, oldRebalanceTimeout, oldSessionTimeout);
                                group.replaceStaticMember(request.groupInstanceId(), newMemberId, oldMemberId);
                            }
                            member.completeJoin(JoinResult.error(error, ""));
                        } else if (group.generationId() == generation) {
                            member.completeJoin(currentJoinResult(group, newMemberId,
                                    request.supportSkippingAssignment() && group.isLeader(newMemberId)));
                        }
                    });
                } else {
                    maybePrepareRebalanceOrCompleteJoin(group, "Group's selected protocol will change because static member "
                            + newMemberId + " with instance id " + request.groupInstanceId() + " joined");
                }
            }
            // The old member id may already be in the leader's assignment: rebalance so the new id gets one.
            case COMPLETING_REBALANCE -> prepareRebalance(group, "Updating metadata for static member " + newMemberId);
            case PREPARING_REBALANCE -> maybeCompleteJoinPhase(group);
            case EMPTY, DEAD -> throw new IllegalStateException("static member " + oldMemberId + " in group "
                    + group.groupId() + " in state " + group.state());
        }
    }

    private void maybePrepareRebalanceOrCompleteJoin(ClassicGroup group, String reason) {
        if (group.isInState(ClassicGroupState.STABLE) || group.isInState(ClassicGroupState.COMPLETING_REBALANCE)
                || group.isInState(ClassicGroupState.EMPTY)) {
            prepareRebalance(group, reason);
        } else {
            maybeCompleteJoinPhase(group);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        if (group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentWithError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        timer.cancel(syncKey(group.groupId()));
        boolean initialRebalance = group.isInState(ClassicGroupState.EMPTY);
        group.transitionTo(ClassicGroupState.PREPARING_REBALANCE, time.milliseconds());
        log.info("Preparing to rebalance group {} in state {} with old generation {} (reason: {})",
                group.groupId(), group.state(), group.generationId(), reason);
        if (initialRebalance && config.groupInitialRebalanceDelayMs() > 0) {
            int delay = config.groupInitialRebalanceDelayMs();
            int remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
            group.newMemberAdded = false;
            group.initialDelayRunning = true;
            scheduleInitialDelayedJoin(group, delay, remaining);
        } else if (group.hasAllMembersJoined()) {
            completeJoin(group);
        } else {
            timer.schedule(joinKey(group.groupId()), group.rebalanceTimeoutMs(), () -> completeJoin(group));
        }
    }

    /** Kafka's InitialDelayedJoin: wait the delay, extended while new members keep arriving, up to the rebalance timeout. */
    private void scheduleInitialDelayedJoin(ClassicGroup group, int delayMs, int remainingMs) {
        timer.schedule(joinKey(group.groupId()), delayMs, () -> {
            if (group.newMemberAdded && remainingMs != 0) {
                group.newMemberAdded = false;
                int next = Math.min(config.groupInitialRebalanceDelayMs(), remainingMs);
                scheduleInitialDelayedJoin(group, next, Math.max(remainingMs - config.groupInitialRebalanceDelayMs(), 0));
            } else {
                completeJoin(group);
            }
        });
    }

    /** Completes the join phase early when everyone has joined, unless the initial delay is still running. */
    private void maybeCompleteJoinPhase(ClassicGroup group) {
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                && !group.initialDelayRunning) {
            completeJoin(group);
        }
    }

    /** Kafka's {@code completeClassicGroupJoin}: drops members that did not rejoin, starts the next generation. */
    private void completeJoin(ClassicGroup group) {
        timer.cancel(joinKey(group.groupId()));
        group.initialDelayRunning = false;
        if (!group.isInState(ClassicGroupState.PREPARING_REBALANCE) || groups.get(group.groupId()) != group) {
            return;
        }
        for (ClassicGroupMember member : List.copyOf(group.members())) {
            if (!member.isAwaitingJoin()) {
                timer.cancel(heartbeatKey(group.groupId(), member.memberId()));
                group.remove(member.memberId());
                log.info("Removed member {} of group {}: it did not rejoin within the rebalance timeout",
                        member.memberId(), group.groupId());
            }
        }
        group.setGenerationId(group.generationId() + 1);
        group.newMemberAdded = false;
        if (group.numMembers() == 0) {
            group.setProtocolName(null);
            group.transitionTo(ClassicGroupState.EMPTY, time.milliseconds());
            log.info("Group {} with generation {} is now empty", group.groupId(), group.generationId());
            appends.append(partitionFor(group.groupId()), List.of(groupMetadataRecord(group, null)), error -> {
                if (error != Errors.NONE) {
                    log.warn("Failed to write empty metadata of group {}: {}", group.groupId(), error);
                }
            });
            return;
        }
        group.setProtocolName(group.selectProtocol());
        group.transitionTo(ClassicGroupState.COMPLETING_REBALANCE, time.milliseconds());
        log.info("Stabilized group {} generation {} with {} members", group.groupId(), group.generationId(),
                group.numMembers());
        group.pendingSyncMembers().clear();
        for (ClassicGroupMember member : group.members()) {
            member.completeJoin(currentJoinResult(group, member.memberId(), false));
            group.pendingSyncMembers().add(member.memberId());
            rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
        }
        int generation = group.generationId();
        timer.schedule(syncKey(group.groupId()), group.rebalanceTimeoutMs(), () -> onSyncTimeout(group, generation));
    }

    /** Members that joined but did not sync within the rebalance timeout are removed, and the group rebalances. */
    private void onSyncTimeout(ClassicGroup group, int generation) {
        if (group.generationId() != generation || groups.get(group.groupId()) != group
                || !(group.isInState(ClassicGroupState.COMPLETING_REBALANCE) || group.isInState(ClassicGroupState.STABLE))) {
            return;
        }
        Set<String> pending = Set.copyOf(group.pendingSyncMembers());
        if (pending.isEmpty()) {
            return;
        }
        for (String memberId : pending) {
            timer.cancel(heartbeatKey(group.groupId(), memberId));
            group.remove(memberId);
        }
        log.info("Removed members {} of group {}: they did not sync within the rebalance timeout", pending, group.groupId());
        prepareRebalance(group, "Removing " + pending + " on pending sync request expiration");
    }

    private void resetAndPropagateAssignmentWithError(ClassicGroup group, Errors error) {
        for (ClassicGroupMember member : group.members()) {
            member.setAssignment(new byte[0]);
            member.completeSync(SyncResult.error(error));
        }
    }

    // ---------------------------------------------------------------- SyncGroup

    CompletableFuture<SyncResult> syncGroup(SyncRequest request) {
        CompletableFuture<SyncResult> future = new CompletableFuture<>();
        if (invalidGroupId(request.groupId())) {
            return done(future, SyncResult.error(Errors.INVALID_GROUP_ID));
        }
        if (!owns(request.groupId())) {
            return done(future, SyncResult.error(Errors.NOT_COORDINATOR));
        }
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            return done(future, SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return done(future, SyncResult.error(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        Errors memberError = validateMember(group, request.memberId(), request.groupInstanceId());
        if (memberError != Errors.NONE) {
            return done(future, SyncResult.error(memberError));
        }
        if (request.generationId() != group.generationId()) {
            return done(future, SyncResult.error(Errors.ILLEGAL_GENERATION));
        }
        if ((request.protocolType() != null && !request.protocolType().equals(group.protocolType()))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName()))) {
            return done(future, SyncResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        ClassicGroupMember member = group.member(request.memberId());
        switch (group.state()) {
            case EMPTY -> future.complete(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
            case PREPARING_REBALANCE -> future.complete(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE -> {
                member.setAwaitingSync(future);
                group.pendingSyncMembers().remove(member.memberId());
                rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
                if (group.isLeader(member.memberId())) {
                    completeSyncFromLeader(group, request.assignments());
                }
            }
            case STABLE -> {
                group.pendingSyncMembers().remove(member.memberId());
                rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
                future.complete(new SyncResult(Errors.NONE, group.protocolType(), group.protocolName(), member.assignment()));
            }
            case DEAD -> future.complete(SyncResult.error(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        return future;
    }

    /** Persists the leader's assignment (members it left out get an empty one), then answers every parked sync. */
    private void completeSyncFromLeader(ClassicGroup group, Map<String, byte[]> leaderAssignments) {
        Map<String, byte[]> assignments = new HashMap<>();
        for (ClassicGroupMember m : group.members()) {
            byte[] a = leaderAssignments.get(m.memberId());
            assignments.put(m.memberId(), a == null ? new byte[0] : a);
        }
        int generation = group.generationId();
        appends.append(partitionFor(group.groupId()), List.of(groupMetadataRecord(group, assignments)), error -> {
            if (!group.isInState(ClassicGroupState.COMPLETING_REBALANCE) || group.generationId() != generation) {
                return;
            }
            if (error != Errors.NONE) {
                resetAndPropagateAssignmentWithError(group, error);
                prepareRebalance(group, "Error " + error + " when storing the assignment");
                return;
            }
            for (ClassicGroupMember m : group.members()) {
                m.setAssignment(assignments.get(m.memberId()));
                m.completeSync(new SyncResult(Errors.NONE, group.protocolType(), group.protocolName(), m.assignment()));
            }
            group.transitionTo(ClassicGroupState.STABLE, time.milliseconds());
        });
    }

    /** The group's {@code GroupMetadataValue}; {@code assignments} null takes the members' current ones. */
    CoordinatorRecord groupMetadataRecord(ClassicGroup group, Map<String, byte[]> assignments) {
        List<MemberMetadata> members = new ArrayList<>();
        for (ClassicGroupMember m : group.members()) {
            byte[] subscription = m.metadata(group.protocolName());
            byte[] assignment = assignments == null ? m.assignment() : assignments.get(m.memberId());
            members.add(new MemberMetadata(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), subscription == null ? new byte[0] : subscription,
                    assignment == null ? new byte[0] : assignment));
        }
        return GroupRecords.groupMetadata(group.groupId(), new GroupMetadataValue(
                group.protocolType() == null ? "" : group.protocolType(), group.generationId(), group.protocolName(),
                group.leaderId(), group.currentStateTimestampMs(), members));
    }

    // ---------------------------------------------------------------- Heartbeat

    Errors heartbeat(HeartbeatRequest request) {
        if (invalidGroupId(request.groupId())) {
            return Errors.INVALID_GROUP_ID;
        }
        if (!owns(request.groupId())) {
            return Errors.NOT_COORDINATOR;
        }
        ClassicGroup group = groups.get(request.groupId());
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors memberError = validateMember(group, request.memberId(), request.groupInstanceId());
        if (memberError != Errors.NONE) {
            return memberError;
        }
        if (request.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        ClassicGroupMember member = group.member(request.memberId());
        return switch (group.state()) {
            case EMPTY -> Errors.UNKNOWN_MEMBER_ID;
            case PREPARING_REBALANCE -> {
                rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
                yield Errors.REBALANCE_IN_PROGRESS;
            }
            case COMPLETING_REBALANCE, STABLE -> {
                // Consumers may heartbeat between their join and sync answers: a normal heartbeat.
                rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
                yield Errors.NONE;
            }
            case DEAD -> Errors.COORDINATOR_NOT_AVAILABLE;
        };
    }

    private void rescheduleHeartbeat(ClassicGroup group, ClassicGroupMember member, long timeoutMs) {
        rescheduleHeartbeat(group, member.memberId(), timeoutMs);
    }

    private void rescheduleHeartbeat(ClassicGroup group, String memberId, long timeoutMs) {
        timer.schedule(heartbeatKey(group.groupId(), memberId), timeoutMs, () -> onHeartbeatExpired(group, memberId));
    }

    /** A member's session expired: it leaves the group, unless it is parked in a join (not new) or a sync. */
    private void onHeartbeatExpired(ClassicGroup group, String memberId) {
        if (groups.get(group.groupId()) != group) {
            return;
        }
        if (group.pendingMembers().remove(memberId)) {
            log.info("Pending member {} of group {} did not rejoin within its session timeout", memberId, group.groupId());
            maybeCompleteJoinPhase(group);
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        if (member == null) {
            return;
        }
        if ((member.isAwaitingJoin() && !member.isNew()) || member.isAwaitingSync()) {
            rescheduleHeartbeat(group, member, member.sessionTimeoutMs());
            return;
        }
        log.info("Member {} of group {} has failed, removing it from the group (session timeout {} ms expired)",
                memberId, group.groupId(), member.sessionTimeoutMs());
        removeMemberAndUpdateGroup(group, member, "removing member " + memberId + " on heartbeat expiration");
    }

    private void removeMemberAndUpdateGroup(ClassicGroup group, ClassicGroupMember member, String reason) {
        member.completeJoin(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, member.memberId()));
        member.completeSync(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
        timer.cancel(heartbeatKey(group.groupId(), member.memberId()));
        group.remove(member.memberId());
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> maybeCompleteJoinPhase(group);
            case EMPTY, DEAD -> {
            }
        }
    }

    // ---------------------------------------------------------------- LeaveGroup

    LeaveResult leaveGroup(String groupId, List<LeavingMember> leaving) {
        if (invalidGroupId(groupId)) {
            return new LeaveResult(Errors.INVALID_GROUP_ID, List.of());
        }
        if (!owns(groupId)) {
            return new LeaveResult(Errors.NOT_COORDINATOR, List.of());
        }
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return new LeaveResult(Errors.UNKNOWN_MEMBER_ID, List.of());
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return new LeaveResult(Errors.COORDINATOR_NOT_AVAILABLE, List.of());
        }
        List<MemberLeaveResult> results = new ArrayList<>();
        for (LeavingMember m : leaving) {
            String memberId = m.memberId() == null ? "" : m.memberId();
            Errors error = Errors.NONE;
            if (m.groupInstanceId() != null) {
                String existing = group.staticMemberId(m.groupInstanceId());
                if (existing == null) {
                    error = Errors.UNKNOWN_MEMBER_ID;
                } else if (!memberId.isEmpty() && !memberId.equals(existing)) {
                    error = Errors.FENCED_INSTANCE_ID;
                } else {
                    memberId = existing;
                }
            }
            if (error == Errors.NONE) {
                if (group.pendingMembers().remove(memberId)) {
                    timer.cancel(heartbeatKey(groupId, memberId));
                    maybeCompleteJoinPhase(group);
                } else if (!group.hasMember(memberId)) {
                    error = Errors.UNKNOWN_MEMBER_ID;
                } else {
                    log.info("Member {} of group {} is leaving", memberId, groupId);
                    removeMemberAndUpdateGroup(group, group.member(memberId), "member " + memberId + " left the group");
                }
            }
            results.add(new MemberLeaveResult(m.memberId(), m.groupInstanceId(), error));
        }
        return new LeaveResult(Errors.NONE, results);
    }

    // ---------------------------------------------------------------- timer keys

    static final String OFFSETS_EXPIRATION_KEY = "offsets-expiration";

    private static String heartbeatKey(String groupId, String memberId) {
        return "heartbeat-" + groupId + "-" + memberId;
    }

    private static String joinKey(String groupId) {
        return "join-" + groupId;
    }

    private static String syncKey(String groupId) {
        return "sync-" + groupId;
    }
}
