package io.sluice.server.purgatory;

/**
 * Runs tasks after a delay. Behind an interface so that timeouts can be tested without sleeping.
 * Implementations are thread-safe.
 */
public interface Timer extends AutoCloseable {

    /** Runs {@code task} once, {@code delayMs} from now, on the timer's own thread. */
    Cancellable schedule(Runnable task, long delayMs);

    @Override
    void close();

    /** A scheduled task that has not run yet can be cancelled; cancelling afterwards does nothing. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
