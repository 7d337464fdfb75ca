package io.sluice.coordinator.group;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a classic group, with Kafka's names ({@code ClassicGroupState}).
 *
 * <table>
 * <caption>What each API does in each state, and where the group goes next</caption>
 * <tr><th>State</th><th>JoinGroup</th><th>SyncGroup</th><th>Heartbeat</th><th>LeaveGroup</th>
 *     <th>OffsetCommit</th><th>Next states</th></tr>
 * <tr><td>Empty: no members; offsets may remain</td><td>new member joins -&gt; PreparingRebalance
 *     (after {@code group.initial.rebalance.delay.ms})</td><td>UNKNOWN_MEMBER_ID</td><td>UNKNOWN_MEMBER_ID</td>
 *     <td>UNKNOWN_MEMBER_ID</td><td>only simple commits (generation -1, no member)</td>
 *     <td>PreparingRebalance, Dead</td></tr>
 * <tr><td>PreparingRebalance: waiting for members to (re)join, up to the rebalance timeout</td>
 *     <td>parks the join until all known members joined or the timeout</td><td>REBALANCE_IN_PROGRESS</td>
 *     <td>REBALANCE_IN_PROGRESS</td><td>removes the member; may complete the join</td>
 *     <td>member checks, then accepted</td><td>CompletingRebalance, Empty, Dead</td></tr>
 * <tr><td>CompletingRebalance: join answered, waiting for the leader's assignment</td>
 *     <td>same protocols: answered again; else rebalance</td><td>leader's assignment persisted, answered to
 *     all -&gt; Stable; followers park</td><td>NONE</td><td>rebalance</td><td>REBALANCE_IN_PROGRESS</td>
 *     <td>Stable, PreparingRebalance, Dead</td></tr>
 * <tr><td>Stable: every member has its assignment</td><td>leader or changed protocols: rebalance; else the
 *     current generation; static member with a new member id: replaced without rebalance</td>
 *     <td>returns the member's assignment</td><td>NONE</td><td>rebalance</td><td>member checks, then accepted</td>
 *     <td>PreparingRebalance, Dead</td></tr>
 * <tr><td>Dead: removed (deleted, or its partition unloaded)</td><td>COORDINATOR_NOT_AVAILABLE</td>
 *     <td>COORDINATOR_NOT_AVAILABLE</td><td>COORDINATOR_NOT_AVAILABLE</td><td>COORDINATOR_NOT_AVAILABLE</td>
 *     <td>COORDINATOR_NOT_AVAILABLE</td><td>none</td></tr>
 * </table>
 */
public enum ClassicGroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    static {
        EMPTY.validPrevious = EnumSet.of(PREPARING_REBALANCE);
        PREPARING_REBALANCE.validPrevious = EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY);
        COMPLETING_REBALANCE.validPrevious = EnumSet.of(PREPARING_REBALANCE);
        STABLE.validPrevious = EnumSet.of(COMPLETING_REBALANCE);
        DEAD.validPrevious = EnumSet.of(STABLE, PREPARING_REBALANCE, COMPLETING_REBALANCE, EMPTY, DEAD);
    }

    private final String displayName;
    private Set<ClassicGroupState> validPrevious;

    ClassicGroupState(String displayName) {
        this.displayName = displayName;
    }

    /** True when a group may move from {@code previous} to this state. */
    public boolean canFollow(ClassicGroupState previous) {
        return validPrevious.contains(previous);
    }

    /** Kafka's name, as DescribeGroups and ListGroups report it. */
    @Override
    public String toString() {
        return displayName;
    }
}
