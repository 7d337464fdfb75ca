package io.sluice.coordinator.group;

/**
 * Timeouts of the coordinator (heartbeats, joins, syncs), keyed so that scheduling a key again replaces the
 * previous timeout. Tasks run on the coordinator thread; an implementation for tests runs them when a mock
 * clock advances, so the state machine is tested without sleeping.
 */
public interface CoordinatorTimer {

    /** Runs {@code task} after {@code delayMs} unless cancelled or replaced first. */
    void schedule(String key, long delayMs, Runnable task);

    void cancel(String key);

    boolean isScheduled(String key);
}
