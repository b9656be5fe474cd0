package dev.capstan.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Gateway settings. */
@ConfigMapping(prefix = "capstan.gateway")
public interface GatewayConfig {

    Bootstrap bootstrap();

    /** How long clients may cache the discovery document. */
    @WithDefault("300")
    int discoveryMaxAgeSeconds();

    /**
     * Whether discovery lists the OpenWOP conformance fixture ids: true where run-service seeds them
     * ({@code capstan.run.seed-fixtures-tenant}), as the local platform does for its demo tenant.
     */
    @WithDefault("false")
    boolean advertiseFixtures();

    /** Base URLs of the services the gateway routes to. */
    Services services();

    Proxy proxy();

    RateLimit rateLimit();

    Admin admin();

    Oidc oidc();

    Auth auth();

    /** How long the identity token signed for each forwarded call stays valid. */
    @WithDefault("60s")
    Duration identityTtl();

    /** A tenant and API key created at start-up if missing: the local platform's demo tenant. */
    interface Bootstrap {
        Optional<String> tenant();

        /** The full key ({@code hk_...} or {@code hk_test_...}); only its hash is stored. */
        Optional<String> apiKey();

        @WithDefault("manifest:read,runs:create,runs:read,runs:cancel,artifacts:read,webhooks:manage,approvals:respond,packs:publish,packs:yank,packs:yank-revert,audit:read,workspace:read,workspace:write")
        Set<String> scopes();
    }

    interface Services {
        @WithDefault("http://localhost:8081")
        String run();

        @WithDefault("http://localhost:8083")
        String webhook();

        @WithDefault("http://localhost:8084")
        String registry();
    }

    interface Proxy {
        /** Largest request body forwarded; larger ones get 413 {@code payload_too_large}. */
        @WithDefault("1048576")
        long maxRequestBodyBytes();

        /** Time to open a connection to a service; a failure to connect is 502. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** Time until a service sends its response headers; past it the client gets 504. Streams are not limited once open. */
        @WithDefault("30s")
        Duration responseTimeout();

        /** Connections kept per service. */
        @WithDefault("64")
        int maxConnectionsPerService();

        CircuitBreaker circuitBreaker();

        /**
         * One breaker per service: after {@code failureThreshold} consecutive transport failures (no
         * connection, no answer in time, a broken answer) calls to that service get 503 at once for
         * {@code openFor}; then one trial call decides whether it closes again.
         */
        interface CircuitBreaker {
            @WithDefault("true")
            boolean enabled();

            @WithDefault("5")
            int failureThreshold();

            @WithDefault("10s")
            Duration openFor();
        }
    }

    /**
     * The API key lookup cache: a key's stored record (or its absence) is reused for {@code keyCacheTtl}
     * so a request costs no database round trip. Revocation, expiry and tenant changes through this
     * replica's admin API evict at once; other replicas see them within the TTL.
     */
    interface Auth {
        @WithDefault("5s")
        Duration keyCacheTtl();

        /** Entries held at most (keys and OIDC tenants together). */
        @WithDefault("10000")
        int keyCacheMaxEntries();
    }

    /**
     * Token buckets, held in the memory of each gateway replica (see the README for several replicas).
     * A bucket holds {@code capacity} requests and regains {@code refillPerSecond}.
     */
    interface RateLimit {
        @WithDefault("true")
        boolean enabled();

        Bucket tenant();

        Bucket key();

        /** Per-tenant overrides of the tenant bucket, by tenant id. */
        Map<String, Bucket> tenants();

        /**
         * Unauthenticated callers of the routes whose credential is a token in the path ({@code /v1/interrupts/{token}}),
         * one bucket per client address (defaults in application.properties: 60, 1 per second). Behind a proxy, set
         * {@code quarkus.http.proxy.proxy-address-forwarding} so the address is the client's, not the proxy's.
         */
        Bucket anonymous();

        interface Bucket {
            @WithDefault("200")
            long capacity();

            @WithDefault("100")
            double refillPerSecond();
        }
    }

    interface Admin {
        /**
         * The credential of the admin API ({@code Authorization: Bearer <token>}, 32+ characters).
         * Unset: the admin API answers 401 to everyone.
         */
        Optional<String> token();
    }

    interface Oidc {
        /** Issuers trusted for bearer tokens, by a name of your choice. */
        Map<String, Issuer> issuers();

        /** Role or scope values of tokens that grant OpenWOP scopes, e.g. {@code capstan-operator=runs:read,runs:create}. */
        Map<String, List<String>> roleScopes();

        /**
         * How often the issuers registered through the admin API are re-read from the database, so that
         * a change made on another replica arrives here (this replica's own changes apply at once).
         */
        @WithDefault("30s")
        Duration issuerRefresh();

        interface Issuer {
            /** The {@code iss} value of the issuer's tokens. */
            String issuer();

            /** Where the issuer's OIDC discovery document lives (defaults to the issuer). */
            Optional<String> authServerUrl();

            /** Tokens of this issuer belong to this tenant only; unset: the tenant is read from {@link #tenantClaim()}. */
            Optional<String> tenant();

            /** The claim naming the tenant. */
            @WithDefault("capstan_tenant")
            String tenantClaim();

            /** Required {@code aud}, if any. */
            Optional<String> audience();
        }
    }
}
