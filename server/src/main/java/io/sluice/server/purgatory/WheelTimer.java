package io.sluice.server.purgatory;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * A {@link Timer} on Netty's hashed timing wheel: O(1) schedule and cancel, like Kafka's
 * {@code SystemTimer}. Ticks every 5 ms, so a wait ends at most one tick late. Tasks run on the wheel's
 * single thread and must be short: they hand real work to an executor. Thread-safe.
 */
public final class WheelTimer implements Timer {

    private static final long TICK_MS = 5;

    private final HashedWheelTimer wheel;

    public WheelTimer(String name) {
        this.wheel = new HashedWheelTimer(new DefaultThreadFactory(name, true), TICK_MS, TimeUnit.MILLISECONDS, 512);
        this.wheel.start();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMs) {
        Timeout timeout = wheel.newTimeout(t -> task.run(), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return timeout::cancel;
    }

    @Override
    public void close() {
        wheel.stop();
    }
}
