package io.sluice.coordinator.group;

import org.apache.kafka.common.protocol.Errors;

import java.util.List;
import java.util.Map;

/**
 * The coordinator's requests and answers, free of any wire version: the API handlers translate the
 * kafka-clients messages to and from these. Immutable.
 */
public final class GroupApi {

    private GroupApi() {
    }

    /** One protocol a member supports, with its metadata (the consumer's subscription). */
    public record Protocol(String name, byte[] metadata) {
    }

    /** JoinGroup. {@code requireKnownMemberId} is true from v4 (KIP-394). */
    public record JoinRequest(String groupId, String memberId, String groupInstanceId, String protocolType,
                              List<Protocol> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs,
                              String clientId, String clientHost, boolean requireKnownMemberId,
                              boolean supportSkippingAssignment) {
    }

    public record JoinMember(String memberId, String groupInstanceId, byte[] metadata) {
    }

    public record JoinResult(Errors error, int generationId, String protocolType, String protocolName,
                             String leader, boolean skipAssignment, String memberId, List<JoinMember> members) {

        public static JoinResult error(Errors error, String memberId) {
            return new JoinResult(error, -1, null, null, "", false, memberId, List.of());
        }
    }

    /** SyncGroup; protocol type and name are null before v5. */
    public record SyncRequest(String groupId, int generationId, String memberId, String groupInstanceId,
                              String protocolType, String protocolName, Map<String, byte[]> assignments) {
    }

    public record SyncResult(Errors error, String protocolType, String protocolName, byte[] assignment) {

        public static SyncResult error(Errors error) {
            return new SyncResult(error, null, null, new byte[0]);
        }
    }

    public record HeartbeatRequest(String groupId, int generationId, String memberId, String groupInstanceId) {
    }

    public record LeavingMember(String memberId, String groupInstanceId) {
    }

    public record LeaveResult(Errors error, List<MemberLeaveResult> members) {
    }

    public record MemberLeaveResult(String memberId, String groupInstanceId, Errors error) {
    }

    // ---------------------------------------------------------------- offsets

    public record CommitPartition(String topic, int partition, long offset, int leaderEpoch, String metadata) {
    }

    /** OffsetCommit; {@code retentionTimeMs} -1 unless a v2-4 client set it. */
    public record CommitRequest(String groupId, int generationId, String memberId, String groupInstanceId,
                                long retentionTimeMs, List<CommitPartition> partitions) {
    }

    public record PartitionError(String topic, int partition, Errors error) {
    }

    /** OffsetFetch of one group; {@code partitions} null means every committed partition. */
    public record FetchRequest(String groupId, List<TopicPartitionKey> partitions, boolean requireStable) {
    }

    public record TopicPartitionKey(String topic, int partition) {
    }

    public record FetchedOffset(String topic, int partition, long offset, int leaderEpoch, String metadata,
                                Errors error) {
    }

    public record FetchResult(Errors error, List<FetchedOffset> offsets) {
    }

    // ---------------------------------------------------------------- admin

    public record DescribedMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                                  byte[] metadata, byte[] assignment) {
    }

    public record DescribedGroup(String groupId, Errors error, String state, String protocolType,
                                 String protocolName, List<DescribedMember> members) {
    }

    public record ListedGroup(String groupId, String protocolType, String state, String type) {
    }
}
