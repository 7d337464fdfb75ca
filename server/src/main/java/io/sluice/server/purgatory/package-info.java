/**
 * Delayed operations: requests that wait for something to happen on a partition (Fetch waiting for
 * {@code fetch.min.bytes}, Produce with acks=all waiting for the ISR) or for their timeout, whichever
 * comes first, as Kafka's {@code DelayedOperationPurgatory}.
 *
 * <p>Owns the {@link io.sluice.server.purgatory.DelayedOperation} contract, the
 * {@link io.sluice.server.purgatory.Purgatory} that watches operations by key and the
 * {@link io.sluice.server.purgatory.Timer} that expires them. Completion runs on the thread that made
 * progress (an append, a high-watermark move) or on the timer thread, never on a network event loop.
 * May import kafka-clients' {@code common} types and Netty's timer; knows nothing of requests.
 */
package io.sluice.server.purgatory;
