package io.sluice.server.purgatory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An operation that completes when {@link #tryComplete()} says it can, or when its timeout expires,
 * exactly once either way, as Kafka's {@code DelayedOperation}.
 *
 * <pre>
 *   waiting --tryComplete() true / forceComplete()--> completed: onComplete() runs once
 *   waiting --timeout--------------------------------> completed: onComplete() then onExpiration()
 * </pre>
 *
 * <p>Thread-safe: {@link #tryComplete()} may run concurrently on several appending threads; the
 * {@link #forceComplete()} flag makes {@link #onComplete()} run once.
 */
public abstract class DelayedOperation {

    private final long delayMs;
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile Timer.Cancellable timeout;

    protected DelayedOperation(long delayMs) {
        this.delayMs = delayMs;
    }

    public long delayMs() {
        return delayMs;
    }

    /**
     * Checks whether the operation can complete now and if so calls {@link #forceComplete()}.
     *
     * @return true if this call (or an earlier one) completed the operation
     */
    public abstract boolean tryComplete();

    /** Builds and delivers the result. Runs exactly once. */
    protected abstract void onComplete();

    /** Called after {@link #onComplete()} when the completion was caused by the timeout. */
    protected void onExpiration() {
    }

    /** Completes the operation unless already completed. @return true if this call completed it */
    public final boolean forceComplete() {
        if (!completed.compareAndSet(false, true)) {
            return false;
        }
        Timer.Cancellable t = timeout;
        if (t != null) {
            t.cancel();
        }
        onComplete();
        return true;
    }

    public final boolean isCompleted() {
        return completed.get();
    }

    final void expire() {
        if (forceComplete()) {
            onExpiration();
        }
    }

    final void setTimeout(Timer.Cancellable timeout) {
        this.timeout = timeout;
        if (completed.get()) {
            timeout.cancel();
        }
    }
}
