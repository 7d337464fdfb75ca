package io.sluice.coordinator.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the coordinator writes its records: partition {@code partition} of {@code __consumer_offsets}. The
 * server implements it with its replica manager (acks=all). The future completes, on any thread, once the
 * records are committed, or fails with the kafka-clients {@code ApiException} of the append
 * (NOT_LEADER_OR_FOLLOWER, ...), which the coordinator maps to its own errors.
 */
@FunctionalInterface
public interface CoordinatorLog {

    CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records);
}
