package io.sluice.storage;

import org.apache.kafka.common.utils.Time;

import java.util.function.Supplier;

/** A {@link Time} that only moves when a test says so. */
public final class ManualTime implements Time {
    private volatile long ms;

    public ManualTime(long startMs) {
        this.ms = startMs;
    }

    public void advance(long deltaMs) {
        ms += deltaMs;
    }

    @Override
    public long milliseconds() {
        return ms;
    }

    @Override
    public long nanoseconds() {
        return ms * 1_000_000L;
    }

    @Override
    public void sleep(long sleepMs) {
        advance(sleepMs);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        if (!condition.get()) {
            throw new UnsupportedOperationException("ManualTime cannot wait");
        }
    }
}
