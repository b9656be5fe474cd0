package dev.capstan.gateway.service;

import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.config.GatewayConfig.RateLimit.Bucket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-tenant and per-key token buckets in this replica's memory. A request must get a token from both;
 * when the key's bucket refuses, the tenant's token is given back so one noisy key does not drain its
 * tenant twice. With N replicas behind a round-robin balancer a tenant gets up to N times the configured
 * rate (see the README).
 */
@ApplicationScoped
public class RateLimiter {

    /** The outcome: allowed, or refused by the {@code tenant} or {@code key} limit with a wait. */
    public record Decision(boolean allowed, String scope, long retryAfterMillis) {
        static final Decision ALLOWED = new Decision(true, null, 0);
    }

    /** Above this many client buckets, those that have refilled completely are dropped (they hold no state). */
    private static final int MAX_CLIENT_BUCKETS = 10_000;

    private final GatewayConfig.RateLimit config;
    private final LongSupplier nanoClock;
    private final Map<String, TokenBucket> tenantBuckets = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> keyBuckets = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> clientBuckets = new ConcurrentHashMap<>();

    @Inject
    public RateLimiter(GatewayConfig config) {
        this(config.rateLimit(), System::nanoTime);
    }

    RateLimiter(GatewayConfig.RateLimit config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
    }

    /** A limit stored with a tenant (admin API), which wins over the configured ones. */
    public record Limit(long capacity, double refillPerSecond) implements Bucket {
    }

    /**
     * Checks the tenant's bucket, then the key's ({@code keyId} null for OIDC callers, who have only the
     * tenant limit). {@code tenantLimit} is the tenant's stored limit, or null.
     */
    public Decision acquire(String tenant, Limit tenantLimit, String keyId) {
        if (!config.enabled()) {
            return Decision.ALLOWED;
        }
        long now = nanoClock.getAsLong();
        Bucket limit = tenantLimit != null ? tenantLimit : config.tenants().getOrDefault(tenant, config.tenant());
        // Keyed by the limit too, so a changed limit takes effect with a fresh bucket.
        String bucketKey = tenant + '|' + limit.capacity() + '|' + limit.refillPerSecond();
        TokenBucket tenantBucket = tenantBuckets.computeIfAbsent(bucketKey, t -> bucket(limit, now));
        long wait = tenantBucket.tryTake(now);
        if (wait > 0) {
            return new Decision(false, "tenant", wait);
        }
        if (keyId != null) {
            TokenBucket keyBucket = keyBuckets.computeIfAbsent(keyId, k -> bucket(config.key(), now));
            wait = keyBucket.tryTake(now);
            if (wait > 0) {
                tenantBucket.giveBack();
                return new Decision(false, "key", wait);
            }
        }
        return Decision.ALLOWED;
    }

    /**
     * The bucket of an unauthenticated caller (a route whose credential is a token in its path), by client address;
     * refused as scope {@code client}. Buckets of addresses that stopped calling are dropped once full again.
     */
    public Decision acquireAnonymous(String clientAddress) {
        if (!config.enabled()) {
            return Decision.ALLOWED;
        }
        long now = nanoClock.getAsLong();
        if (clientBuckets.size() > MAX_CLIENT_BUCKETS) {
            clientBuckets.values().removeIf(bucket -> bucket.isFull(now));
        }
        long wait = clientBuckets.computeIfAbsent(clientAddress, c -> bucket(config.anonymous(), now)).tryTake(now);
        return wait > 0 ? new Decision(false, "client", wait) : Decision.ALLOWED;
    }

    /** Forgets a key's bucket (after revocation or rotation). */
    public void forgetKey(String keyId) {
        keyBuckets.remove(keyId);
    }

    private static TokenBucket bucket(Bucket limit, long now) {
        return new TokenBucket(limit.capacity(), limit.refillPerSecond(), now);
    }
}
