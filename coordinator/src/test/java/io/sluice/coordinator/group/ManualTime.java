package io.sluice.coordinator.group;

import org.apache.kafka.common.utils.Time;

import java.util.function.Supplier;

/** A kafka-clients {@link Time} that moves only when a test sleeps it (kafka-clients' MockTime is test-only). */
final class ManualTime implements Time {

    private long nowMs = 1_700_000_000_000L;

    @Override
    public long milliseconds() {
        return nowMs;
    }

    @Override
    public long nanoseconds() {
        return nowMs * 1_000_000L;
    }

    @Override
    public void sleep(long ms) {
        nowMs += ms;
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        throw new UnsupportedOperationException("not used by the coordinator");
    }
}
