package io.sluice.coordinator.group;

import org.apache.kafka.common.utils.ByteUtils;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the records of {@code __consumer_offsets} in Kafka's schemas (group-coordinator's
 * {@code OffsetCommitKey.json}, {@code OffsetCommitValue.json}, {@code GroupMetadataKey.json},
 * {@code GroupMetadataValue.json}), so that Kafka's {@code OffsetsMessageFormatter} and
 * {@code GroupMetadataMessageFormatter} read ours and we read Kafka's.
 *
 * <p>Keys start with a 2-byte version that is the record type: 0 and 1 offset commit, 2 group metadata; other
 * types (KIP-848 consumer groups, share groups) are skipped on load. As Kafka 4.3 we write OffsetCommitValue
 * version 4 (flexible; version 1 when an expire timestamp is set) and GroupMetadataValue version 3. Every
 * value version 0-4 is read. Stateless and thread-safe.
 */
public final class GroupRecords {

    public static final short OFFSET_COMMIT_KEY_VERSION = 1;
    public static final short GROUP_METADATA_KEY_VERSION = 2;
    static final short OFFSET_COMMIT_VALUE_VERSION = 4;
    static final short GROUP_METADATA_VALUE_VERSION = 3;

    private GroupRecords() {
    }

    /** One member in a {@code GroupMetadataValue}. */
    public record MemberMetadata(String memberId, String groupInstanceId, String clientId, String clientHost,
                                 int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** A {@code GroupMetadataValue}: a classic group after a rebalance, or an empty group. */
    public record GroupMetadataValue(String protocolType, int generation, String protocol, String leader,
                                     long currentStateTimestampMs, List<MemberMetadata> members) {
    }

    /** A decoded record; exactly one of the two kinds, with a null value for a tombstone. */
    public sealed interface Decoded permits OffsetRecord, GroupRecord {
    }

    public record OffsetRecord(String groupId, String topic, int partition, OffsetAndMetadata value) implements Decoded {
    }

    public record GroupRecord(String groupId, GroupMetadataValue value) implements Decoded {
    }

    // ---------------------------------------------------------------- encode

    public static CoordinatorRecord offsetCommit(String groupId, String topic, int partition, OffsetAndMetadata value) {
        return new CoordinatorRecord(offsetCommitKey(groupId, topic, partition), offsetCommitValue(value));
    }

    public static CoordinatorRecord offsetCommitTombstone(String groupId, String topic, int partition) {
        return new CoordinatorRecord(offsetCommitKey(groupId, topic, partition), null);
    }

    public static CoordinatorRecord groupMetadata(String groupId, GroupMetadataValue value) {
        return new CoordinatorRecord(groupMetadataKey(groupId), groupMetadataValue(value));
    }

    public static CoordinatorRecord groupMetadataTombstone(String groupId) {
        return new CoordinatorRecord(groupMetadataKey(groupId), null);
    }

    static byte[] offsetCommitKey(String groupId, String topic, int partition) {
        Writer w = new Writer();
        w.int16(OFFSET_COMMIT_KEY_VERSION).string(groupId).string(topic).int32(partition);
        return w.bytes();
    }

    static byte[] groupMetadataKey(String groupId) {
        Writer w = new Writer();
        w.int16(GROUP_METADATA_KEY_VERSION).string(groupId);
        return w.bytes();
    }

    static byte[] offsetCommitValue(OffsetAndMetadata v) {
        Writer w = new Writer();
        if (v.expireTimestampMs() >= 0) {
            // Version 1 is the only one with an expire timestamp, as Kafka writes it.
            w.int16((short) 1).int64(v.offset()).string(v.metadata()).int64(v.commitTimestampMs())
                    .int64(v.expireTimestampMs());
        } else {
            w.int16(OFFSET_COMMIT_VALUE_VERSION).int64(v.offset()).int32(v.leaderEpoch())
                    .compactString(v.metadata()).int64(v.commitTimestampMs()).uvarint(0);
        }
        return w.bytes();
    }

    static byte[] groupMetadataValue(GroupMetadataValue v) {
        Writer w = new Writer();
        w.int16(GROUP_METADATA_VALUE_VERSION).string(v.protocolType()).int32(v.generation())
                .nullableString(v.protocol()).nullableString(v.leader()).int64(v.currentStateTimestampMs())
                .int32(v.members().size());
        for (MemberMetadata m : v.members()) {
            w.string(m.memberId()).nullableString(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                    .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs()).bytes(m.subscription())
                    .bytes(m.assignment());
        }
        return w.bytes();
    }

    // ---------------------------------------------------------------- decode

    /** Decodes one record, or returns null for a record type this coordinator does not keep. */
    public static Decoded decode(ByteBuffer key, ByteBuffer value) {
        if (key == null || key.remaining() < 2) {
            return null;
        }
        ByteBuffer k = key.duplicate();
        short keyVersion = k.getShort();
        switch (keyVersion) {
            case 0, 1 -> {
                String group = string(k);
                String topic = string(k);
                int partition = k.getInt();
                return new OffsetRecord(group, topic, partition, value == null ? null : offsetCommitValue(value.duplicate()));
            }
            case 2 -> {
                String group = string(k);
                return new GroupRecord(group, value == null ? null : groupMetadataValue(value.duplicate()));
            }
            default -> {
                return null;
            }
        }
    }

    static OffsetAndMetadata offsetCommitValue(ByteBuffer b) {
        short version = b.getShort();
        boolean flexible = version >= 4;
        long offset = b.getLong();
        int leaderEpoch = version >= 3 ? b.getInt() : -1;
        String metadata = flexible ? compactString(b) : string(b);
        long commitTimestamp = b.getLong();
        long expireTimestamp = version == 1 ? b.getLong() : -1L;
        if (flexible) {
            skipTaggedFields(b);
        }
        return new OffsetAndMetadata(offset, leaderEpoch, metadata == null ? "" : metadata, commitTimestamp, expireTimestamp);
    }

    static GroupMetadataValue groupMetadataValue(ByteBuffer b) {
        short version = b.getShort();
        boolean flexible = version >= 4;
        String protocolType = str(b, flexible);
        int generation = b.getInt();
        String protocol = str(b, flexible);
        String leader = str(b, flexible);
        long stateTimestamp = version >= 2 ? b.getLong() : -1L;
        int count = flexible ? ByteUtils.readUnsignedVarint(b) - 1 : b.getInt();
        List<MemberMetadata> members = new ArrayList<>(Math.max(count, 0));
        for (int i = 0; i < count; i++) {
            String memberId = str(b, flexible);
            String instanceId = version >= 3 ? str(b, flexible) : null;
            String clientId = str(b, flexible);
            String clientHost = str(b, flexible);
            int sessionTimeout;
            int rebalanceTimeout;
            if (version >= 1) {
                rebalanceTimeout = b.getInt();
                sessionTimeout = b.getInt();
            } else {
                sessionTimeout = b.getInt();
                rebalanceTimeout = sessionTimeout;
            }
            byte[] subscription = bytes(b, flexible);
            byte[] assignment = bytes(b, flexible);
            if (flexible) {
                skipTaggedFields(b);
            }
            members.add(new MemberMetadata(memberId, instanceId, clientId, clientHost, rebalanceTimeout,
                    sessionTimeout, subscription, assignment));
        }
        if (flexible) {
            skipTaggedFields(b);
        }
        return new GroupMetadataValue(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    private static String str(ByteBuffer b, boolean flexible) {
        return flexible ? compactString(b) : string(b);
    }

    private static String string(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String compactString(ByteBuffer b) {
        int len = ByteUtils.readUnsignedVarint(b) - 1;
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b, boolean flexible) {
        int len = flexible ? ByteUtils.readUnsignedVarint(b) - 1 : b.getInt();
        if (len < 0) {
            return new byte[0];
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return bytes;
    }

    private static void skipTaggedFields(ByteBuffer b) {
        int count = ByteUtils.readUnsignedVarint(b);
        for (int i = 0; i < count; i++) {
            ByteUtils.readUnsignedVarint(b);
            int size = ByteUtils.readUnsignedVarint(b);
            b.position(b.position() + size);
        }
    }

    /** A growable big-endian writer for the fixed schemas above. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(64);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer int16(short v) {
            ensure(2);
            buf.putShort(v);
            return this;
        }

        Writer int32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        Writer int64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        Writer uvarint(int v) {
            ensure(5);
            ByteUtils.writeUnsignedVarint(v, buf);
            return this;
        }

        Writer string(String s) {
            byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
            int16((short) bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        Writer nullableString(String s) {
            return s == null ? int16((short) -1) : string(s);
        }

        Writer compactString(String s) {
            byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
            uvarint(bytes.length + 1);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        Writer bytes(byte[] b) {
            byte[] bytes = b == null ? new byte[0] : b;
            int32(bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        byte[] bytes() {
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
