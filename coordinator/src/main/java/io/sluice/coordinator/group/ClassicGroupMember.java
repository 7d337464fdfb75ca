package io.sluice.coordinator.group;

import io.sluice.coordinator.group.GroupApi.JoinResult;
import io.sluice.coordinator.group.GroupApi.Protocol;
import io.sluice.coordinator.group.GroupApi.SyncResult;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One member of a classic group, as Kafka's {@code ClassicGroupMember}: its ids, timeouts, supported protocols,
 * assignment, and the JoinGroup / SyncGroup answers it is waiting for. Confined to the coordinator thread.
 */
final class ClassicGroupMember {

    private final String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private final String protocolType;
    private List<Protocol> protocols;
    private byte[] assignment = new byte[0];
    private CompletableFuture<JoinResult> awaitingJoin;
    private CompletableFuture<SyncResult> awaitingSync;
    /** A member that has not completed its first join: its join may wait {@code newMemberJoinTimeoutMs}. */
    private boolean isNew;

    ClassicGroupMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                       int rebalanceTimeoutMs, int sessionTimeoutMs, String protocolType, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    /** The same member under a new member id (a static member rejoining with an unknown member id). */
    ClassicGroupMember withMemberId(String newMemberId) {
        ClassicGroupMember copy = new ClassicGroupMember(newMemberId, groupInstanceId, clientId, clientHost,
                rebalanceTimeoutMs, sessionTimeoutMs, protocolType, protocols);
        copy.assignment = assignment;
        return copy;
    }

    String memberId() {
        return memberId;
    }

    String groupInstanceId() {
        return groupInstanceId;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    String clientId() {
        return clientId;
    }

    String clientHost() {
        return clientHost;
    }

    int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    String protocolType() {
        return protocolType;
    }

    List<Protocol> protocols() {
        return protocols;
    }

    void update(List<Protocol> protocols, int rebalanceTimeoutMs, int sessionTimeoutMs) {
        this.protocols = List.copyOf(protocols);
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** The metadata this member sent for {@code protocolName}, or null when it does not support it. */
    byte[] metadata(String protocolName) {
        for (Protocol p : protocols) {
            if (p.name().equals(protocolName)) {
                return p.metadata();
            }
        }
        return null;
    }

    /** True when {@code other} lists the same protocols with the same metadata, in the same order. */
    boolean matches(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            Protocol a = protocols.get(i);
            Protocol b = other.get(i);
            if (!a.name().equals(b.name()) || !Arrays.equals(a.metadata(), b.metadata())) {
                return false;
            }
        }
        return true;
    }

    byte[] assignment() {
        return assignment;
    }

    void setAssignment(byte[] assignment) {
        this.assignment = assignment == null ? new byte[0] : assignment;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    void setAwaitingJoin(CompletableFuture<JoinResult> future) {
        this.awaitingJoin = future;
    }

    void setAwaitingSync(CompletableFuture<SyncResult> future) {
        this.awaitingSync = future;
    }

    /** Answers the parked JoinGroup, if any; true when there was one. */
    boolean completeJoin(JoinResult result) {
        CompletableFuture<JoinResult> future = awaitingJoin;
        awaitingJoin = null;
        if (future == null) {
            return false;
        }
        isNew = false;
        future.complete(result);
        return true;
    }

    /** Answers the parked SyncGroup, if any; true when there was one. */
    boolean completeSync(SyncResult result) {
        CompletableFuture<SyncResult> future = awaitingSync;
        awaitingSync = null;
        if (future == null) {
            return false;
        }
        future.complete(result);
        return true;
    }

    boolean isNew() {
        return isNew;
    }

    void setNew(boolean isNew) {
        this.isNew = isNew;
    }
}
