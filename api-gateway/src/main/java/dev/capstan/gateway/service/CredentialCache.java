package dev.capstan.gateway.service;

import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.repository.CredentialStore;
import dev.capstan.gateway.repository.CredentialStore.StoredKey;
import dev.capstan.gateway.repository.CredentialStore.StoredTenant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The request path's reads of {@link CredentialStore} through a short-lived cache, so that a request
 * with a known key (or an OIDC token of a known tenant) costs no database round trip. Absent keys are
 * cached too, so a flood of made-up keys does not reach the database either. This replica's admin
 * changes evict at once ({@link #evictKey}, {@link #evictTenant}); other replicas keep an entry for at
 * most the TTL.
 */
@ApplicationScoped
public class CredentialCache {

    /** One cache for both kinds of entry, keyed {@code k:<hash>} or {@code t:<tenant>}. */
    private final TtlCache<String, Cached> cache;
    private final CredentialStore store;
    private final Counter hits;
    private final Counter misses;

    /** A key record or a tenant record (either may be absent), with the tenant it belongs to. */
    private record Cached(String tenant, Optional<StoredKey> key, Optional<StoredTenant> tenantRecord) {
    }

    public CredentialCache(CredentialStore store, GatewayConfig config, MeterRegistry meters) {
        this.store = store;
        this.cache = new TtlCache<>(config.auth().keyCacheTtl().toNanos(), config.auth().keyCacheMaxEntries(), System::nanoTime);
        this.hits = meters.counter("capstan.gateway.credential.cache", "outcome", "hit");
        this.misses = meters.counter("capstan.gateway.credential.cache", "outcome", "miss");
    }

    public Uni<Optional<StoredKey>> findKeyByHash(String keyHash) {
        String cacheKey = "k:" + keyHash;
        Optional<Cached> cached = cache.get(cacheKey);
        if (cached.isPresent()) {
            hits.increment();
            return Uni.createFrom().item(cached.get().key());
        }
        misses.increment();
        long generation = cache.generation();
        return store.findKeyByHash(keyHash).invoke(found -> cache.putIfUnchanged(cacheKey,
                new Cached(found.map(StoredKey::tenantId).orElse(null), found, Optional.empty()), generation));
    }

    public Uni<Optional<StoredTenant>> findTenant(String tenantId) {
        String cacheKey = "t:" + tenantId;
        Optional<Cached> cached = cache.get(cacheKey);
        if (cached.isPresent()) {
            hits.increment();
            return Uni.createFrom().item(cached.get().tenantRecord());
        }
        misses.increment();
        long generation = cache.generation();
        return store.findTenant(tenantId).invoke(found -> cache.putIfUnchanged(cacheKey,
                new Cached(tenantId, Optional.empty(), found), generation));
    }

    /** After a key's revocation, rotation or expiry change on this replica. */
    public void evictKey(String keyHash) {
        cache.invalidate("k:" + keyHash);
    }

    /** After a tenant's change (its rate limit travels with its keys' records). */
    public void evictTenant(String tenantId) {
        cache.invalidateIf(entry -> tenantId.equals(entry.tenant()));
    }
}
