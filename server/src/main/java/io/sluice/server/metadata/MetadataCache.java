package io.sluice.server.metadata;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Holds the current {@link MetadataImage} and tells listeners when it changes. Implementations swap the
 * image atomically; {@link #image()} is safe from any thread and never blocks.
 */
public interface MetadataCache {

    MetadataImage image();

    /**
     * Completes with the first image that satisfies {@code condition}, or exceptionally with a
     * {@code TimeoutException} after {@code timeoutMs}. This default checks the current image only: an
     * implementation whose images change overrides it to wait.
     */
    default CompletableFuture<MetadataImage> await(Predicate<MetadataImage> condition, long timeoutMs) {
        MetadataImage current = image();
        return condition.test(current) ? CompletableFuture.completedFuture(current)
                : CompletableFuture.failedFuture(new TimeoutException("metadata did not reach the expected state"));
    }

    /** Called, in order, on one metadata thread after every swap, and once at registration. */
    void addListener(Listener listener);

    @FunctionalInterface
    interface Listener {
        void onImage(MetadataImage previous, MetadataImage current);
    }
}
