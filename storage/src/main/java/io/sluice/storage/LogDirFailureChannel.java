package io.sluice.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The log dirs that have failed, as Kafka's {@code LogDirFailureChannel}: the first I/O error of any log in a
 * dir takes the whole dir offline (a full or failing disk fails its neighbours next), and listeners (the log
 * manager, the broker) act on it once. A dir stays offline until the broker restarts.
 *
 * <p>Thread-safe: logs report from their own threads.
 */
public final class LogDirFailureChannel {

    private final Set<Path> offline = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Path>> listeners = new CopyOnWriteArrayList<>();

    /** {@code listener} is called once per failed dir, on the thread that reported it. */
    public void addListener(Consumer<Path> listener) {
        listeners.add(listener);
    }

    /** Marks {@code logDir} offline; returns whether it was online until now (and the listeners were called). */
    public boolean markOffline(Path logDir) {
        Path dir = logDir.toAbsolutePath().normalize();
        if (!offline.add(dir)) {
            return false;
        }
        listeners.forEach(listener -> listener.accept(dir));
        return true;
    }

    public boolean isOffline(Path logDir) {
        return offline.contains(logDir.toAbsolutePath().normalize());
    }

    public Set<Path> offlineDirs() {
        return Set.copyOf(offline);
    }
}
