package io.sluice.server.network;

import io.netty.channel.Channel;

/**
 * Whether a connection reads from its socket: it reads while no reason to pause holds, so that the
 * handlers that pause it for different reasons never resume it for one another. Reading resumes by
 * Netty's auto-read, which also drains what the decoder already holds.
 *
 * <pre>
 *   reason             paused by                          resumed by
 *   QUEUE_FULL         dispatcher: 64 requests or 1 MiB   dispatcher: both down to half
 *                      queued and not started
 *   BROKER_BUSY        throttle: broker-wide budget full  budget: back under its limits
 * </pre>
 *
 * <p>One instance per channel; touched on the channel's event loop only.
 */
final class ReadGate {

    enum Reason {
        QUEUE_FULL, BROKER_BUSY
    }

    private final Channel channel;
    private int reasons;

    ReadGate(Channel channel) {
        this.channel = channel;
    }

    void pause(Reason reason) {
        reasons |= 1 << reason.ordinal();
        channel.config().setAutoRead(false);
    }

    void resume(Reason reason) {
        reasons &= ~(1 << reason.ordinal());
        if (reasons == 0 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    boolean isPaused(Reason reason) {
        return (reasons & 1 << reason.ordinal()) != 0;
    }
}
