package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.Protocol;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A classic group, as Kafka's {@code ClassicGroup}: state, generation, selected protocol, leader, members
 * (static ones also by {@code group.instance.id}), members that must rejoin with the id they were given
 * (KIP-394), and members that have joined but not yet synced. A group with no members and no protocol type
 * is a "simple" group that only holds offsets of {@code assign()} consumers. Confined to the coordinator thread.
 */
final class ClassicGroup {

    private final String groupId;
    private ClassicGroupState state = ClassicGroupState.EMPTY;
    private long currentStateTimestampMs;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private final Map<String, ClassicGroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Set<String> pendingMembers = new HashSet<>();
    private final Set<String> pendingSyncMembers = new HashSet<>();
    /** Set when a new member joined during the initial rebalance delay (Kafka's {@code newMemberAdded}). */
    boolean newMemberAdded;
    /** True while the initial rebalance delay decides when the first join phase ends. */
    boolean initialDelayRunning;

    ClassicGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.currentStateTimestampMs = nowMs;
    }

    String groupId() {
        return groupId;
    }

    ClassicGroupState state() {
        return state;
    }

    boolean isInState(ClassicGroupState s) {
        return state == s;
    }

    /** Moves to {@code target}; an illegal transition is a bug, so it throws. */
    void transitionTo(ClassicGroupState target, long nowMs) {
        if (!target.canFollow(state)) {
            throw new IllegalStateException("Group " + groupId + " should be in one of the valid previous states of "
                    + target + " but is in " + state);
        }
        state = target;
        currentStateTimestampMs = nowMs;
    }

    /** Sets the state when loading from a record, with no transition check. */
    void loadState(ClassicGroupState loaded, long stateTimestampMs) {
        state = loaded;
        currentStateTimestampMs = stateTimestampMs;
    }

    long currentStateTimestampMs() {
        return currentStateTimestampMs;
    }

    int generationId() {
        return generationId;
    }

    void setGenerationId(int generationId) {
        this.generationId = generationId;
    }

    String protocolType() {
        return protocolType;
    }

    void setProtocolType(String protocolType) {
        this.protocolType = protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    void setProtocolName(String protocolName) {
        this.protocolName = protocolName;
    }

    String leaderId() {
        return leaderId;
    }

    void setLeaderId(String leaderId) {
        this.leaderId = leaderId;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    Collection<ClassicGroupMember> members() {
        return members.values();
    }

    int numMembers() {
        return members.size();
    }

    boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    ClassicGroupMember member(String memberId) {
        return members.get(memberId);
    }

    void add(ClassicGroupMember member) {
        if (members.isEmpty()) {
            protocolType = member.protocolType();
        }
        members.put(member.memberId(), member);
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        pendingMembers.remove(member.memberId());
        if (leaderId == null) {
            leaderId = member.memberId();
        }
    }

    void remove(String memberId) {
        ClassicGroupMember removed = members.remove(memberId);
        if (removed != null && removed.isStatic()) {
            staticMembers.remove(removed.groupInstanceId(), memberId);
        }
        pendingSyncMembers.remove(memberId);
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** The member id of the static member with this instance id, or null. */
    String staticMemberId(String groupInstanceId) {
        return groupInstanceId == null ? null : staticMembers.get(groupInstanceId);
    }

    /** Replaces a static member by the same member under {@code newMemberId}; returns the new member. */
    ClassicGroupMember replaceStaticMember(String groupInstanceId, String oldMemberId, String newMemberId) {
        ClassicGroupMember old = members.remove(oldMemberId);
        ClassicGroupMember replacement = old.withMemberId(newMemberId);
        members.put(newMemberId, replacement);
        staticMembers.put(groupInstanceId, newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        if (pendingSyncMembers.remove(oldMemberId)) {
            pendingSyncMembers.add(newMemberId);
        }
        return replacement;
    }

    Set<String> pendingMembers() {
        return pendingMembers;
    }

    boolean isPendingMember(String memberId) {
        return pendingMembers.contains(memberId);
    }

    Set<String> pendingSyncMembers() {
        return pendingSyncMembers;
    }

    /** Kafka's {@code hasAllMembersJoined}: every member is parked in a join and no member id is pending. */
    boolean hasAllMembersJoined() {
        return members.values().stream().allMatch(ClassicGroupMember::isAwaitingJoin) && pendingMembers.isEmpty();
    }

    /**
     * Kafka's {@code supportsProtocols}: an empty group takes any non-empty type and protocol list; otherwise
     * the type must match and one of the protocols must be supported by every member.
     */
    boolean supportsProtocols(String memberProtocolType, java.util.List<Protocol> memberProtocols) {
        if (memberProtocolType == null || memberProtocolType.isEmpty() || memberProtocols.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!memberProtocolType.equals(protocolType)) {
            return false;
        }
        Set<String> candidates = candidateProtocols();
        return memberProtocols.stream().anyMatch(p -> candidates.contains(p.name()));
    }

    /** The protocols every member supports. */
    Set<String> candidateProtocols() {
        Set<String> candidates = null;
        for (ClassicGroupMember member : members.values()) {
            Set<String> names = new HashSet<>();
            member.protocols().forEach(p -> names.add(p.name()));
            if (candidates == null) {
                candidates = names;
            } else {
                candidates.retainAll(names);
            }
        }
        return candidates == null ? Set.of() : candidates;
    }

    /** Kafka's {@code selectProtocol}: each member votes for its most preferred candidate; most votes wins. */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicGroupMember member : members.values()) {
            Optional<String> vote = member.protocols().stream().map(Protocol::name).filter(candidates::contains).findFirst();
            vote.ifPresent(name -> votes.merge(name, 1, Integer::sum));
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("no protocol supported by all members of " + groupId));
    }

    /** True when selecting the protocol again would give another one (static member changed its protocols). */
    boolean wouldChangeProtocol() {
        return protocolName != null && !candidateProtocols().isEmpty() && !selectProtocol().equals(protocolName);
    }

    /** The longest rebalance timeout of the members: how long a rebalance waits for joins. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (ClassicGroupMember member : members.values()) {
            max = Math.max(max, member.rebalanceTimeoutMs());
        }
        return max;
    }

    /** Kafka's {@code isSubscribedToTopic}: unknown (true) unless every member's subscription decodes. */
    boolean usesConsumerProtocol() {
        return "consumer".equals(protocolType);
    }
}
