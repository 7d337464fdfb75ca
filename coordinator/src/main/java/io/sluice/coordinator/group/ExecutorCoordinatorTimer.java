package io.sluice.coordinator.group;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CoordinatorTimer} on the coordinator's own single-threaded scheduler: tasks run on the coordinator
 * thread, and {@link #schedule}/{@link #cancel} are called only from it, so no locking is needed. A task that
 * was replaced or cancelled after it became due does not run.
 */
final class ExecutorCoordinatorTimer implements CoordinatorTimer {

    private final ScheduledExecutorService scheduler;
    private final Map<String, ScheduledFuture<?>> tasks = new HashMap<>();

    ExecutorCoordinatorTimer(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public void schedule(String key, long delayMs, Runnable task) {
        cancel(key);
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        Runnable guarded = () -> {
            if (tasks.get(key) == self[0]) {
                tasks.remove(key);
                task.run();
            }
        };
        self[0] = scheduler.schedule(guarded, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        tasks.put(key, self[0]);
    }

    @Override
    public void cancel(String key) {
        ScheduledFuture<?> previous = tasks.remove(key);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    @Override
    public boolean isScheduled(String key) {
        return tasks.containsKey(key);
    }
}
