package dev.capstan.gateway.service;

import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.repository.CredentialStore;
import dev.capstan.gateway.repository.CredentialStore.StoredKey;
import dev.capstan.gateway.repository.CredentialStore.StoredTenant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The request path's reads of {@link CredentialStore} through a short-lived cache, so that a request
 * with a known key (or an OIDC token of a known tenant) costs no database round trip. Absent keys are
 * cached too, so a flood of made-up keys does not reach the database either, and concurrent misses of
 * one entry share a single lookup (no stampede when a busy key's entry expires). This replica's admin
 * changes evict at once ({@link #evictKey}, {@link #evictTenant}); other replicas keep an entry for at
 * most the TTL.
 */
@ApplicationScoped
public class CredentialCache {

    /** A key record or a tenant record (either may be absent), with the tenant it belongs to. */
    private record Cached(String tenant, Optional<StoredKey> key, Optional<StoredTenant> tenantRecord) {
    }

    /** One cache for both kinds of entry, keyed {@code k:<hash>} or {@code t:<tenant>}. */
    private final TtlCache<String, Cached> cache;
    private final Map<String, Uni<Cached>> loading = new ConcurrentHashMap<>();
    private final CredentialStore store;
    private final Counter hits;
    private final Counter misses;
    private final Counter joined;

    public CredentialCache(CredentialStore store, GatewayConfig config, MeterRegistry meters) {
        this.store = store;
        this.cache = new TtlCache<>(config.auth().keyCacheTtl().toNanos(), config.auth().keyCacheMaxEntries(), System::nanoTime);
        this.hits = meters.counter("capstan.gateway.credential.cache", "outcome", "hit");
        this.misses = meters.counter("capstan.gateway.credential.cache", "outcome", "miss");
        this.joined = meters.counter("capstan.gateway.credential.cache", "outcome", "joined");
    }

    public Uni<Optional<StoredKey>> findKeyByHash(String keyHash) {
        return lookup("k:" + keyHash, () -> store.findKeyByHash(keyHash)
                .map(found -> new Cached(found.map(StoredKey::tenantId).orElse(null), found, Optional.empty())))
                .map(Cached::key);
    }

    public Uni<Optional<StoredTenant>> findTenant(String tenantId) {
        return lookup("t:" + tenantId, () -> store.findTenant(tenantId)
                .map(found -> new Cached(tenantId, Optional.empty(), found)))
                .map(Cached::tenantRecord);
    }

    private Uni<Cached> lookup(String cacheKey, Supplier<Uni<Cached>> load) {
        Optional<Cached> cached = cache.get(cacheKey);
        if (cached.isPresent()) {
            hits.increment();
            return Uni.createFrom().item(cached.get());
        }
        boolean[] started = {false};
        Uni<Cached> shared = loading.computeIfAbsent(cacheKey, k -> {
            started[0] = true;
            long generation = cache.generation();
            // Lazy: nothing runs inside computeIfAbsent; the first subscriber starts the lookup, the others share it.
            return load.get()
                    .invoke(value -> cache.putIfUnchanged(k, value, generation))
                    // A block, so this is the Runnable overload (an expression lambda returning the removed Uni
                    // would pick the Supplier<Uni> overload, which waits for that Uni: this very lookup).
                    .eventually(() -> {
                        loading.remove(k);
                    })
                    .memoize().indefinitely();
        });
        (started[0] ? misses : joined).increment();
        // A shared result arrives on the first caller's event loop: continue each request on its own.
        Context context = Vertx.currentContext();
        return context == null ? shared : shared.emitOn(command -> context.runOnContext(ignored -> command.run()));
    }

    /** After a key's revocation, rotation or expiry change on this replica. */
    public void evictKey(String keyHash) {
        cache.invalidate("k:" + keyHash);
        loading.remove("k:" + keyHash);
    }

    /** After a tenant's change (its rate limit travels with its keys' records). */
    public void evictTenant(String tenantId) {
        cache.invalidateIf(entry -> tenantId.equals(entry.tenant()));
        loading.keySet().removeIf(key -> key.equals("t:" + tenantId));
    }
}
