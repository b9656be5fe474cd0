package dev.capstan.gateway.service;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A small bounded cache whose entries live for a fixed time. Every invalidation bumps a generation, and
 * a value loaded before it is not stored ({@link #putIfUnchanged}), so a load racing with a revocation
 * cannot put the revoked record back. Full: expired entries go first, and if that frees nothing the
 * whole cache is dropped (it only ever costs one reload per entry).
 */
public final class TtlCache<K, V> {

    private record Entry<V>(V value, long expiresAtNanos) {
    }

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanoClock;

    public TtlCache(long ttlNanos, int maxEntries, LongSupplier nanoClock) {
        this.ttlNanos = ttlNanos;
        this.maxEntries = maxEntries;
        this.nanoClock = nanoClock;
    }

    /** The live value of a key, if any. */
    public Optional<V> get(K key) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (nanoClock.getAsLong() - entry.expiresAtNanos() >= 0) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    /** The generation to pass to {@link #putIfUnchanged} for a value about to be loaded. */
    public long generation() {
        return generation.get();
    }

    /** Stores a value loaded since {@code loadedAtGeneration}, unless something was invalidated meanwhile. */
    public void putIfUnchanged(K key, V value, long loadedAtGeneration) {
        if (ttlNanos <= 0 || maxEntries <= 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(entry -> now - entry.expiresAtNanos() >= 0);
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        if (generation.get() == loadedAtGeneration) {
            entries.put(key, new Entry<>(value, now + ttlNanos));
        }
    }

    public void invalidate(K key) {
        generation.incrementAndGet();
        entries.remove(key);
    }

    public void invalidateIf(Predicate<V> matching) {
        generation.incrementAndGet();
        entries.values().removeIf(entry -> matching.test(entry.value()));
    }

    public int size() {
        return entries.size();
    }
}
