package io.sluice.coordinator.group;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Writes the coordinator's records one append at a time per offsets partition, so that records are applied
 * (replayed) in the order they are in the log, and calls back on the coordinator thread with the outcome,
 * mapped as Kafka's coordinator maps append errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS(_AFTER_APPEND)
 * and REQUEST_TIMED_OUT become COORDINATOR_NOT_AVAILABLE; NOT_LEADER_OR_FOLLOWER and KAFKA_STORAGE_ERROR become
 * NOT_COORDINATOR; MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE and INVALID_FETCH_SIZE become UNKNOWN_SERVER_ERROR.
 * Confined to the coordinator thread.
 */
final class AppendQueue {

    private record Pending(List<CoordinatorRecord> records, Consumer<Errors> callback) {
    }

    private final CoordinatorLog log;
    private final Executor coordinatorThread;
    private final Map<Integer, ArrayDeque<Pending>> queues = new HashMap<>();

    AppendQueue(CoordinatorLog log, Executor coordinatorThread) {
        this.log = log;
        this.coordinatorThread = coordinatorThread;
    }

    /** Appends {@code records} after earlier appends to the same partition; empty lists complete at once. */
    void append(int partition, List<CoordinatorRecord> records, Consumer<Errors> callback) {
        if (records.isEmpty()) {
            callback.accept(Errors.NONE);
            return;
        }
        ArrayDeque<Pending> queue = queues.computeIfAbsent(partition, p -> new ArrayDeque<>());
        queue.add(new Pending(records, callback));
        if (queue.size() == 1) {
            sendHead(partition, queue);
        }
    }

    private void sendHead(int partition, ArrayDeque<Pending> queue) {
        Pending head = queue.peek();
        log.append(partition, head.records()).whenComplete((ignored, error) -> coordinatorThread.execute(() -> {
            queue.poll();
            try {
                head.callback().accept(error == null ? Errors.NONE : map(error));
            } finally {
                if (!queue.isEmpty()) {
                    sendHead(partition, queue);
                } else {
                    queues.remove(partition, queue);
                }
            }
        }));
    }

    static Errors map(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Errors errors = cause instanceof ApiException ? Errors.forException(cause) : Errors.UNKNOWN_SERVER_ERROR;
        return switch (errors) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> errors;
        };
    }
}
