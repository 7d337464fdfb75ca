package io.sluice.server.metadata;

/**
 * Holds the current {@link MetadataImage} and tells listeners when it changes. Implementations swap the
 * image atomically; {@link #image()} is safe from any thread and never blocks.
 */
public interface MetadataCache {

    MetadataImage image();

    /** Called, in order, on one metadata thread after every swap, and once at registration. */
    void addListener(Listener listener);

    @FunctionalInterface
    interface Listener {
        void onImage(MetadataImage previous, MetadataImage current);
    }
}
