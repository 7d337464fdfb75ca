package io.sluice.coordinator.group;

/**
 * One record of {@code __consumer_offsets}: key and value bytes in Kafka's formats (a 2-byte version, then
 * the fields). A null value is a tombstone, which compaction later removes with the key.
 */
public record CoordinatorRecord(byte[] key, byte[] value) {
}
