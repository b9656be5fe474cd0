package dev.capstan.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TtlCacheTest {

    private final AtomicLong now = new AtomicLong();
    private final TtlCache<String, String> cache = new TtlCache<>(5_000_000_000L, 3, now::get);

    @Test
    void anEntryLivesForTheTtlOnly() {
        cache.putIfUnchanged("k", "v", cache.generation());
        now.addAndGet(4_999_999_999L);
        assertThat(cache.get("k")).contains("v");
        now.addAndGet(1);
        assertThat(cache.get("k")).isEmpty();
    }

    @Test
    void aValueLoadedBeforeAnInvalidationIsNotStored() {
        long generation = cache.generation();
        cache.invalidate("k");
        cache.putIfUnchanged("k", "stale", generation);
        assertThat(cache.get("k")).isEmpty();
        cache.putIfUnchanged("k", "fresh", cache.generation());
        assertThat(cache.get("k")).contains("fresh");
    }

    @Test
    void itNeverHoldsMoreThanItsBound() {
        for (int i = 0; i < 10; i++) {
            cache.putIfUnchanged("k" + i, "v", cache.generation());
            assertThat(cache.size()).isLessThanOrEqualTo(3);
        }
        assertThat(cache.get("k9")).contains("v");
    }

    @Test
    void invalidateIfDropsTheMatchingEntries() {
        cache.putIfUnchanged("a", "tenant-1", cache.generation());
        cache.putIfUnchanged("b", "tenant-2", cache.generation());
        cache.invalidateIf("tenant-1"::equals);
        assertThat(cache.get("a")).isEmpty();
        assertThat(cache.get("b")).contains("tenant-2");
    }
}
