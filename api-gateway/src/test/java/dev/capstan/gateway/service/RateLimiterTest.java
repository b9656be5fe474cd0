package dev.capstan.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.gateway.config.GatewayConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong();

    private static GatewayConfig.RateLimit.Bucket bucket(long capacity, double refill) {
        return new RateLimiter.Limit(capacity, refill);
    }

    private RateLimiter limiter(long tenantCapacity, long keyCapacity) {
        GatewayConfig.RateLimit config = new GatewayConfig.RateLimit() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public Bucket tenant() {
                return bucket(tenantCapacity, 0.001);
            }

            @Override
            public Bucket key() {
                return bucket(keyCapacity, 0.001);
            }

            @Override
            public Map<String, Bucket> tenants() {
                return Map.of("big", bucket(100, 0.001));
            }

            @Override
            public Bucket anonymous() {
                return bucket(2, 0.001);
            }
        };
        return new RateLimiter(config, now::get);
    }

    @Test
    void aKeyOverItsOwnLimitIsRefusedAsKeyAndDoesNotDrainItsTenant() {
        RateLimiter limiter = limiter(3, 1);
        assertThat(limiter.acquire("t", null, "k1").allowed()).isTrue();
        RateLimiter.Decision refused = limiter.acquire("t", null, "k1");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.scope()).isEqualTo("key");
        assertThat(refused.retryAfterMillis()).isPositive();
        // The tenant got its token back: two more keys still pass, then the tenant limit holds.
        assertThat(limiter.acquire("t", null, "k2").allowed()).isTrue();
        assertThat(limiter.acquire("t", null, "k3").allowed()).isTrue();
        RateLimiter.Decision tenantFull = limiter.acquire("t", null, "k4");
        assertThat(tenantFull.allowed()).isFalse();
        assertThat(tenantFull.scope()).isEqualTo("tenant");
    }

    @Test
    void tenantsHaveSeparateBucketsAndAStoredLimitWinsOverTheConfiguredOnes() {
        RateLimiter limiter = limiter(1, 100);
        assertThat(limiter.acquire("a", null, null).allowed()).isTrue();
        assertThat(limiter.acquire("a", null, null).allowed()).isFalse();
        assertThat(limiter.acquire("b", null, null).allowed()).as("another tenant").isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.acquire("big", null, null).allowed()).as("configured override").isTrue();
        }
        RateLimiter.Limit stored = new RateLimiter.Limit(2, 0.001);
        assertThat(limiter.acquire("a", stored, null).allowed()).as("a new stored limit starts a fresh bucket").isTrue();
        assertThat(limiter.acquire("a", stored, null).allowed()).isTrue();
        assertThat(limiter.acquire("a", stored, null).allowed()).isFalse();
    }

    @Test
    void unauthenticatedCallersAreLimitedPerClientAddressApartFromEveryTenant() {
        RateLimiter limiter = limiter(1, 1);
        assertThat(limiter.acquireAnonymous("203.0.113.7").allowed()).isTrue();
        assertThat(limiter.acquireAnonymous("203.0.113.7").allowed()).isTrue();
        RateLimiter.Decision refused = limiter.acquireAnonymous("203.0.113.7");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.scope()).isEqualTo("client");
        assertThat(refused.retryAfterMillis()).isPositive();
        assertThat(limiter.acquireAnonymous("198.51.100.2").allowed()).as("another address").isTrue();
        assertThat(limiter.acquire("t", null, "k").allowed()).as("tenants are untouched").isTrue();
    }
}
