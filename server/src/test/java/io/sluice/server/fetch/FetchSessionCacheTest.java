package io.sluice.server.fetch;

import org.apache.kafka.common.requests.FetchMetadata;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KIP-227 session cache eviction, as Kafka's FetchSessionCacheTest. Time is passed in, never slept. */
class FetchSessionCacheTest {

    private static final long EVICTION_MS = 120_000;

    private static int create(FetchSessionCache cache, long now, boolean privileged, int size) {
        return cache.maybeCreateSession(now, privileged, true, size, () -> {
            LinkedHashMap<SessionKey, CachedPartition> partitions = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                partitions.put(new SessionKey(org.apache.kafka.common.Uuid.ZERO_UUID, "t", i), null);
            }
            return partitions;
        });
    }

    @Test
    void fullCacheRefusesYoungSessionsOfEqualValue() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS);
        int a = create(cache, 0, false, 3);
        int b = create(cache, 10, false, 3);
        assertNotEquals(FetchMetadata.INVALID_SESSION_ID, a);
        assertNotEquals(FetchMetadata.INVALID_SESSION_ID, b);
        assertEquals(FetchMetadata.INVALID_SESSION_ID, create(cache, 20, false, 10), "young sessions are not evictable by consumers");
        assertEquals(2, cache.size());
    }

    @Test
    void staleSessionsAreEvictedFirst() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS);
        int a = create(cache, 0, false, 3);
        int b = create(cache, EVICTION_MS, false, 3);
        int c = create(cache, EVICTION_MS + 1, false, 1);
        assertNotEquals(FetchMetadata.INVALID_SESSION_ID, c);
        assertTrue(cache.get(a).isEmpty(), "the least recently used, stale session went");
        assertTrue(cache.get(b).isPresent());
        assertEquals(1, cache.evictions());
    }

    @Test
    void followersEvictConsumersAndBiggerSessionsEvictSmallerOldOnes() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS);
        int consumer = create(cache, 0, false, 5);
        int follower = create(cache, 0, true, 1);
        int newFollower = create(cache, 10, true, 1);
        assertNotEquals(FetchMetadata.INVALID_SESSION_ID, newFollower);
        assertTrue(cache.get(consumer).isEmpty(), "a privileged session evicts an unprivileged one");
        assertTrue(cache.get(follower).isPresent());
        assertEquals(FetchMetadata.INVALID_SESSION_ID, create(cache, 20, false, 100),
                "young privileged sessions cannot be evicted by consumers");
    }

    @Test
    void sessionsStartAtEpochOne() {
        FetchSessionCache cache = new FetchSessionCache(FetchSessionCache.DEFAULT_MAX_ENTRIES, EVICTION_MS);
        int id = create(cache, 0, false, 1);
        assertEquals(1, cache.get(id).orElseThrow().epoch());
        assertTrue(cache.remove(id).isPresent());
        assertTrue(cache.get(id).isEmpty());
    }
}
