package io.sluice.storage;

import java.util.Optional;

/**
 * A record found by timestamp for ListOffsets: its timestamp, offset, and the partition leader epoch of its batch
 * (empty when the batch has none), as Kafka's {@code FileRecords.TimestampAndOffset}.
 */
public record TimestampAndOffset(long timestamp, long offset, Optional<Integer> leaderEpoch) {
}
