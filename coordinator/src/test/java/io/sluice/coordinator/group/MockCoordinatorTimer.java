package io.sluice.coordinator.group;


import java.util.HashMap;
import java.util.Map;

/** A {@link CoordinatorTimer} driven by a {@link ManualTime}: {@link #advance} runs what became due, in order. */
final class MockCoordinatorTimer implements CoordinatorTimer {

    private record Task(long deadlineMs, Runnable task) {
    }

    private final ManualTime time;
    private final Map<String, Task> tasks = new HashMap<>();

    MockCoordinatorTimer(ManualTime time) {
        this.time = time;
    }

    @Override
    public void schedule(String key, long delayMs, Runnable task) {
        tasks.put(key, new Task(time.milliseconds() + delayMs, task));
    }

    @Override
    public void cancel(String key) {
        tasks.remove(key);
    }

    @Override
    public boolean isScheduled(String key) {
        return tasks.containsKey(key);
    }

    void advance(long ms) {
        time.sleep(ms);
        while (true) {
            Map.Entry<String, Task> due = tasks.entrySet().stream()
                    .filter(e -> e.getValue().deadlineMs() <= time.milliseconds())
                    .min((a, b) -> Long.compare(a.getValue().deadlineMs(), b.getValue().deadlineMs())).orElse(null);
            if (due == null) {
                return;
            }
            tasks.remove(due.getKey());
            due.getValue().task().run();
        }
    }
}
