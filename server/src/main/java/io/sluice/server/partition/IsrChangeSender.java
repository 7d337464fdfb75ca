package io.sluice.server.partition;

import io.sluice.server.metadata.IsrChange;
import io.sluice.server.metadata.IsrChangeResult;

import java.util.concurrent.CompletableFuture;

/**
 * How a leader asks the controller to commit an ISR change (Kafka's AlterPartition). Errors the controller answers
 * come back as results; the sender retries what is worth retrying (no controller, a lost connection) by itself.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface IsrChangeSender {

    CompletableFuture<IsrChangeResult> submit(IsrChange change);

    /** For a broker that is never a leader of a replicated partition (tests): nothing is ever sent. */
    IsrChangeSender NONE = change -> new CompletableFuture<>();
}
