package io.sluice.server.network;

import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection of the broker together may hold of requests: bytes received and not yet answered
 * ({@code queued.max.request.bytes}) and requests being handled, started and not yet answered
 * ({@code queued.max.requests}). Kafka counts the requests waiting for its I/O threads; Sluice's handlers
 * take a request as soon as its connection's previous one is answered, so what waits for the broker is
 * what is being handled. Requests queued behind their own connection's previous one are not counted: they
 * wait for that client (one that does not read its responses waits forever), and counting them would let a
 * few such clients stop every other connection.
 * While either is over its limit no connection starts reading a new request; each finishes the request
 * it is in the middle of (see {@link ReceiveThrottle}), so the requests holding the budget can complete
 * and the budget cannot deadlock on half-received frames. Memory held for requests is therefore at most
 * the limit, plus the rest of one request per connection that was mid-request when the limit was
 * reached, plus one socket read per connection parked at the boundary. A request larger than the whole
 * limit still gets through when there is room, as with Kafka's non-strict memory pool.
 *
 * <p>Bytes are counted as they arrive, not as a frame's size prefix claims: a client that announces
 * 100 MB and sends one byte holds one byte. (Kafka reserves the claimed size up front.)
 *
 * <p>Broker-wide and thread-safe: counters are atomic, and paused connections are woken on their own
 * event loops.
 */
public final class RequestBudget {

    private static final Logger log = LoggerFactory.getLogger(RequestBudget.class);

    private final long maxBytes;
    private final int maxRequestsInProgress;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger requestsInProgress = new AtomicInteger();
    private final Queue<ReceiveThrottle> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean exhaustedLogged = new AtomicBoolean();
    private volatile long exhaustedSinceNanos;

    /**
     * @param maxBytes          the most bytes held before connections stop reading ({@code queued.max.request.bytes})
     * @param maxRequestsInProgress the most requests being handled ({@code queued.max.requests})
     */
    public RequestBudget(long maxBytes, int maxRequestsInProgress) {
        if (maxBytes <= 0 || maxRequestsInProgress <= 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxBytes + ", " + maxRequestsInProgress);
        }
        this.maxBytes = maxBytes;
        this.maxRequestsInProgress = maxRequestsInProgress;
    }

    /**
     * {@code queued.max.request.bytes} resolved: a positive value as it is; -1 (Kafka's "unbounded", its
     * default) or 0 as half of Netty's direct memory limit, because the network buffers live there and a
     * broker that runs out of it fails every connection's allocations, the good clients' too.
     */
    public static long resolveMaxBytes(long configured) {
        return configured > 0 ? configured : Math.max(1, PlatformDependent.maxDirectMemory() / 2);
    }

    public long maxBytes() {
        return maxBytes;
    }

    long bytes() {
        return bytes.get();
    }

    void received(long count) {
        bytes.addAndGet(count);
    }

    void released(long count) {
        bytes.addAndGet(-count);
        wakeIfRoom();
    }

    void requestStarted() {
        requestsInProgress.incrementAndGet();
    }

    /** A started request was answered (or its connection closed before it could be). */
    void requestCompleted() {
        requestsInProgress.decrementAndGet();
        wakeIfRoom();
    }

    boolean exhausted() {
        return bytes.get() > maxBytes || requestsInProgress.get() >= maxRequestsInProgress;
    }

    /**
     * Parks {@code throttle} until there is room. Called on its event loop after it paused; re-checks after
     * enqueueing so that a release racing with the pause cannot be missed.
     */
    void await(ReceiveThrottle throttle) {
        if (exhaustedLogged.compareAndSet(false, true)) {
            exhaustedSinceNanos = System.nanoTime();
            log.warn("No new requests are read until the broker is back under its request budget: {} bytes of requests held (queued.max.request.bytes={}), {}"
                            + " requests being handled (queued.max.requests={})", bytes.get(), maxBytes, requestsInProgress.get(),
                    maxRequestsInProgress);
        }
        waiting.add(throttle);
        wakeIfRoom();
    }

    private void wakeIfRoom() {
        if (waiting.isEmpty() || exhausted()) {
            return;
        }
        if (exhaustedLogged.compareAndSet(true, false)) {
            log.info("Resumed reads after {} ms over the request budget",
                    (System.nanoTime() - exhaustedSinceNanos) / 1_000_000);
        }
        ReceiveThrottle throttle;
        while ((throttle = waiting.poll()) != null) {
            throttle.wake();
        }
    }
}
