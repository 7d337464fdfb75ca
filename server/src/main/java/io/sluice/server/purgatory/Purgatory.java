package io.sluice.server.purgatory;

import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds delayed operations until they complete, watched by keys (a topic-partition for Fetch and
 * Produce), as Kafka's {@code DelayedOperationPurgatory}. Whoever changes the state an operation waits
 * on calls {@link #checkAndComplete(Object)} for that key.
 *
 * <p>Completed operations are dropped from watch lists lazily: on the next check of their key, and by
 * a sweep every {@value #PURGE_INTERVAL} operations added. Thread-safe.
 *
 * <p>Fairness note: an operation completed by its timeout runs on the timer thread, so
 * {@link DelayedOperation#onComplete()} must hand any I/O to an executor.
 *
 * @param <K> the watch key type
 */
public final class Purgatory<K> {

    private static final int PURGE_INTERVAL = 1000;

    private final Timer timer;
    private final ConcurrentHashMap<K, ConcurrentLinkedQueue<DelayedOperation>> watchers = new ConcurrentHashMap<>();
    private final AtomicInteger addedSincePurge = new AtomicInteger();

    public Purgatory(Timer timer) {
        this.timer = timer;
    }

    /**
     * Completes {@code operation} now if it can, otherwise watches it under every key and arms its timeout.
     * As Kafka, the operation is tried again after it is watched, so a change racing with the first try
     * is not missed.
     *
     * @return true if the operation completed before this call returned
     */
    public boolean tryCompleteElseWatch(DelayedOperation operation, Collection<K> keys) {
        if (operation.tryComplete()) {
            return true;
        }
        for (K key : keys) {
            if (operation.isCompleted()) {
                return true;
            }
            watchers.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(operation);
        }
        if (operation.tryComplete()) {
            return true;
        }
        operation.setTimeout(timer.schedule(operation::expire, operation.delayMs()));
        if (addedSincePurge.incrementAndGet() >= PURGE_INTERVAL) {
            addedSincePurge.set(0);
            purgeCompleted();
        }
        return operation.isCompleted();
    }

    /** Tries to complete every operation watching {@code key}. @return how many completed */
    public int checkAndComplete(K key) {
        ConcurrentLinkedQueue<DelayedOperation> queue = watchers.get(key);
        if (queue == null) {
            return 0;
        }
        int completed = 0;
        for (Iterator<DelayedOperation> it = queue.iterator(); it.hasNext(); ) {
            DelayedOperation operation = it.next();
            if (operation.isCompleted()) {
                it.remove();
            } else if (operation.tryComplete()) {
                it.remove();
                completed++;
            }
        }
        return completed;
    }

    /** Number of operations watched under {@code key}, including completed ones not yet dropped. */
    public int watched(K key) {
        ConcurrentLinkedQueue<DelayedOperation> queue = watchers.get(key);
        return queue == null ? 0 : queue.size();
    }

    private void purgeCompleted() {
        watchers.values().forEach(queue -> queue.removeIf(DelayedOperation::isCompleted));
    }

    /**
     * Completes every operation watching {@code key} and forgets the key (the partition went away).
     * Watch lists are otherwise kept for the life of their key: dropping an empty list could race with an
     * operation being added to it.
     */
    public void completeAndForget(K key) {
        ConcurrentLinkedQueue<DelayedOperation> queue = watchers.remove(key);
        if (queue != null) {
            queue.forEach(DelayedOperation::forceComplete);
        }
    }
}
