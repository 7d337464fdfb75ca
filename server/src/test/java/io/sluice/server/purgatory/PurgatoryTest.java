package io.sluice.server.purgatory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delayed operations complete once, by a check of their key or by their timeout; the timer is driven by hand. */
class PurgatoryTest {

    /** A timer whose tasks run when the test says. */
    static final class ManualTimer implements Timer {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public Cancellable schedule(Runnable task, long delayMs) {
            tasks.add(task);
            return () -> tasks.remove(task);
        }

        void fireAll() {
            new ArrayList<>(tasks).forEach(Runnable::run);
            tasks.clear();
        }

        @Override
        public void close() {
        }
    }

    static final class Op extends DelayedOperation {
        final AtomicBoolean ready = new AtomicBoolean();
        final AtomicInteger completions = new AtomicInteger();
        final AtomicBoolean expired = new AtomicBoolean();

        Op() {
            super(1000);
        }

        @Override
        public boolean tryComplete() {
            return ready.get() && forceComplete();
        }

        @Override
        protected void onComplete() {
            completions.incrementAndGet();
        }

        @Override
        protected void onExpiration() {
            expired.set(true);
        }
    }

    @Test
    void completedByCheckOfItsKeyExactlyOnce() {
        ManualTimer timer = new ManualTimer();
        Purgatory<String> purgatory = new Purgatory<>(timer);
        Op op = new Op();
        assertFalse(purgatory.tryCompleteElseWatch(op, List.of("a", "b")));
        assertEquals(0, purgatory.checkAndComplete("a"));
        op.ready.set(true);
        assertEquals(1, purgatory.checkAndComplete("b"));
        assertEquals(0, purgatory.checkAndComplete("a"));
        timer.fireAll();
        assertEquals(1, op.completions.get());
        assertFalse(op.expired.get());
        assertTrue(timer.tasks.isEmpty(), "completion cancels the timeout");
    }

    @Test
    void expiresWhenNothingHappens() {
        ManualTimer timer = new ManualTimer();
        Purgatory<String> purgatory = new Purgatory<>(timer);
        Op op = new Op();
        purgatory.tryCompleteElseWatch(op, List.of("a"));
        timer.fireAll();
        assertEquals(1, op.completions.get());
        assertTrue(op.expired.get());
        op.ready.set(true);
        assertEquals(0, purgatory.checkAndComplete("a"));
        assertEquals(1, op.completions.get());
    }
}
