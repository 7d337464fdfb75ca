package io.sluice.server.fetch;

import org.apache.kafka.common.requests.FetchMetadata;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The broker's incremental fetch sessions, at most {@code max.incremental.fetch.session.cache.slots}
 * (default 1000), as Kafka's {@code FetchSessionCache}.
 *
 * <p>Eviction, when a new session needs a slot that is not free, as Kafka: a session unused for
 * {@code evictionMs} (120 s) is stale and goes first; otherwise the least valuable evictable session goes
 * if the new one is worth more. Value orders by (privileged, number of partitions, id); followers are
 * privileged. A session younger than {@code evictionMs} can only be evicted by a privileged one, and a
 * young privileged session by no one.
 *
 * <p>Thread-safe: all methods synchronize on the cache. A session's own lock may be taken inside the
 * cache's, never the other way round.
 */
public final class FetchSessionCache {

    public static final int DEFAULT_MAX_ENTRIES = 1000;
    public static final long DEFAULT_EVICTION_MS = 120_000L;

    private record LastUsedKey(long lastUsedMs, int id) {
    }

    private record EvictableKey(boolean privileged, int size, int id) {
    }

    private static final Comparator<LastUsedKey> LAST_USED_ORDER =
            Comparator.comparingLong(LastUsedKey::lastUsedMs).thenComparingInt(LastUsedKey::id);
    private static final Comparator<EvictableKey> EVICTABLE_ORDER = Comparator.comparing(EvictableKey::privileged)
            .thenComparingInt(EvictableKey::size).thenComparingInt(EvictableKey::id);

    private final int maxEntries;
    private final long evictionMs;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();
    private final TreeMap<LastUsedKey, FetchSession> lastUsed = new TreeMap<>(LAST_USED_ORDER);
    private final TreeMap<EvictableKey, FetchSession> evictableByAll = new TreeMap<>(EVICTABLE_ORDER);
    private final TreeMap<EvictableKey, FetchSession> evictableByPrivileged = new TreeMap<>(EVICTABLE_ORDER);
    private long evictions;

    public FetchSessionCache(int maxEntries, long evictionMs) {
        this.maxEntries = maxEntries;
        this.evictionMs = evictionMs;
    }

    public synchronized Optional<FetchSession> get(int sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    public synchronized int size() {
        return sessions.size();
    }

    public synchronized long evictions() {
        return evictions;
    }

    /**
     * Creates a session if a slot is free or can be freed by eviction.
     *
     * @return the new session's id, or {@link FetchMetadata#INVALID_SESSION_ID} when none was created
     */
    synchronized int maybeCreateSession(long now, boolean privileged, boolean usesTopicIds, int size,
                                        Supplier<LinkedHashMap<SessionKey, CachedPartition>> partitions) {
        if (sessions.size() >= maxEntries && !tryEvict(privileged, new EvictableKey(privileged, size, 0), now)) {
            return FetchMetadata.INVALID_SESSION_ID;
        }
        FetchSession session = new FetchSession(newSessionId(), privileged, usesTopicIds, partitions.get(), now,
                FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH));
        sessions.put(session.id, session);
        touch(session, now);
        return session.id;
    }

    private int newSessionId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        return id;
    }

    private boolean tryEvict(boolean privileged, EvictableKey key, long now) {
        Map.Entry<LastUsedKey, FetchSession> oldest = lastUsed.firstEntry();
        if (oldest == null) {
            return false;
        }
        if (now - oldest.getKey().lastUsedMs() > evictionMs) {
            remove(oldest.getValue());
            evictions++;
            return true;
        }
        TreeMap<EvictableKey, FetchSession> candidates = privileged ? evictableByPrivileged : evictableByAll;
        Map.Entry<EvictableKey, FetchSession> cheapest = candidates.firstEntry();
        if (cheapest == null || EVICTABLE_ORDER.compare(key, cheapest.getKey()) < 0) {
            return false;
        }
        remove(cheapest.getValue());
        evictions++;
        return true;
    }

    public synchronized Optional<FetchSession> remove(int sessionId) {
        FetchSession session = sessions.get(sessionId);
        if (session == null) {
            return Optional.empty();
        }
        remove(session);
        return Optional.of(session);
    }

    synchronized void remove(FetchSession session) {
        EvictableKey evictableKey;
        synchronized (session) {
            lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id));
            evictableKey = new EvictableKey(session.privileged, session.cachedSize, session.id);
            session.cachedSize = -1;
        }
        evictableByAll.remove(evictableKey);
        evictableByPrivileged.remove(evictableKey);
        sessions.remove(session.id);
    }

    /** Marks the session used now and re-files it in the eviction trees under its current size. */
    synchronized void touch(FetchSession session, long now) {
        synchronized (session) {
            lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id));
            session.lastUsedMs = now;
            lastUsed.put(new LastUsedKey(now, session.id), session);
            if (session.cachedSize != -1) {
                EvictableKey old = new EvictableKey(session.privileged, session.cachedSize, session.id);
                evictableByAll.remove(old);
                evictableByPrivileged.remove(old);
            }
            session.cachedSize = session.partitions.size();
            EvictableKey key = new EvictableKey(session.privileged, session.cachedSize, session.id);
            boolean old = now - session.creationMs > evictionMs;
            if (!session.privileged || old) {
                evictableByPrivileged.put(key, session);
            }
            if (old) {
                evictableByAll.put(key, session);
            }
        }
    }
}
