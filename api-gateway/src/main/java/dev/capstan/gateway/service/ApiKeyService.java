package dev.capstan.gateway.service;

import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.repository.ApiKeyEntity;
import dev.capstan.gateway.repository.ApiKeyRepository;
import dev.capstan.gateway.repository.TenantEntity;
import dev.capstan.gateway.repository.TenantRepository;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.gateway.rest.AdminApi;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** Tenants and their API keys. */
@ApplicationScoped
public class ApiKeyService {

    public static final String LIVE_PREFIX = "hk_";
    public static final String TEST_PREFIX = "hk_test_";
    private static final Logger LOG = Logger.getLogger(ApiKeyService.class);
    private static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_LISTED_KEYS = 500;

    private final TenantRepository tenants;
    private final ApiKeyRepository keys;
    private final GatewayConfig config;
    private final Clock clock;
    private final CredentialCache credentials;
    private final RateLimiter limiter;

    public ApiKeyService(TenantRepository tenants, ApiKeyRepository keys, GatewayConfig config, Clock clock,
                         CredentialCache credentials, RateLimiter limiter) {
        this.tenants = tenants;
        this.keys = keys;
        this.config = config;
        this.clock = clock;
        this.credentials = credentials;
        this.limiter = limiter;
    }

    @WithTransaction
    public Uni<AdminApi.Tenant> createTenant(AdminApi.CreateTenant request) {
        if (request == null || request.id() == null || !TENANT_ID.matcher(request.id()).matches()) {
            throw ApiException.validation("A tenant id is 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit.",
                    Map.of("field", "id"));
        }
        validate(request.rateLimit());
        return tenants.findById(request.id()).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT, "A tenant with this id exists.",
                        Map.of("tenant", request.id())));
            }
            TenantEntity tenant = new TenantEntity();
            tenant.id = request.id();
            tenant.name = request.name() == null || request.name().isBlank() ? request.id() : request.name();
            apply(tenant, request.rateLimit());
            return tenants.persist(tenant).map(ApiKeyService::view);
        });
    }

    @WithSession
    public Uni<AdminApi.Tenant> tenant(String id) {
        return requireTenant(id).map(ApiKeyService::view);
    }

    /** Changes a tenant; its cached key records are dropped once the change is committed. */
    public Uni<AdminApi.Tenant> updateTenant(String id, AdminApi.UpdateTenant request) {
        validate(request == null ? null : request.rateLimit());
        return Panache.withTransaction(() -> requireTenant(id).map(tenant -> {
            if (request != null && request.name() != null && !request.name().isBlank()) {
                tenant.name = request.name();
            }
            if (request != null && request.rateLimit() != null) {
                apply(tenant, request.rateLimit());
            }
            return view(tenant);
        })).invoke(() -> credentials.evictTenant(id));
    }

    @WithSession
    public Uni<AdminApi.KeyList> listKeys(String tenantId) {
        return requireTenant(tenantId).flatMap(tenant -> keys.listForTenant(tenantId, MAX_LISTED_KEYS))
                .map(list -> new AdminApi.KeyList(list.stream().map(ApiKeyService::view).toList()));
    }

    /** Issues a key; the response is the only place the key appears. */
    @WithTransaction
    public Uni<AdminApi.IssuedKey> createKey(AdminApi.CreateKey request) {
        if (request == null || request.tenant() == null) {
            throw ApiException.validation("tenant is required.", Map.of("field", "tenant"));
        }
        Set<String> scopes = validScopes(request.scopes());
        boolean test = Boolean.TRUE.equals(request.test());
        return requireTenant(request.tenant())
                .flatMap(tenant -> issue(tenant.id, scopes, test, request.name(), request.expiresAt(), null));
    }

    /** A new key with the same tenant, scopes and mode; the old one is revoked now or expires after the grace. */
    public Uni<AdminApi.IssuedKey> rotateKey(String keyId, AdminApi.RotateKey request) {
        long grace = request == null || request.graceSeconds() == null ? 0 : request.graceSeconds();
        if (grace < 0) {
            throw ApiException.validation("graceSeconds must be 0 or more.", Map.of("field", "graceSeconds"));
        }
        String[] oldHash = new String[1];
        return Panache.withTransaction(() -> requireKey(keyId).flatMap(old -> {
            oldHash[0] = old.keyHash;
            if (old.revokedAt != null) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT, "A revoked key cannot be rotated.",
                        Map.of("keyId", keyId)));
            }
            OffsetDateTime now = OffsetDateTime.now(clock);
            if (grace == 0) {
                old.revokedAt = now;
            } else if (old.expiresAt == null || old.expiresAt.isAfter(now.plusSeconds(grace))) {
                old.expiresAt = now.plusSeconds(grace);
            }
            return issue(old.tenantId, Set.of(old.scopes), old.testMode, old.name, null, old.id);
        })).invoke(() -> forget(keyId, oldHash[0]));
    }

    public Uni<AdminApi.Key> updateKey(String keyId, AdminApi.UpdateKey request) {
        String[] hash = new String[1];
        return Panache.withTransaction(() -> requireKey(keyId).map(key -> {
            hash[0] = key.keyHash;
            key.expiresAt = request == null ? null : request.expiresAt();
            return view(key);
        })).invoke(() -> credentials.evictKey(hash[0]));
    }

    /** Revokes a key; revoking it again keeps the first revocation time. Effective on this replica at once. */
    public Uni<AdminApi.Key> revokeKey(String keyId) {
        String[] hash = new String[1];
        return Panache.withTransaction(() -> requireKey(keyId).map(key -> {
            hash[0] = key.keyHash;
            if (key.revokedAt == null) {
                key.revokedAt = OffsetDateTime.now(clock);
            }
            return view(key);
        })).invoke(() -> forget(keyId, hash[0]));
    }

    /** Drops what this replica holds about a key once its change is committed. */
    private void forget(String keyId, String keyHash) {
        credentials.evictKey(keyHash);
        limiter.forgetKey(keyId);
    }

    private Uni<AdminApi.IssuedKey> issue(String tenantId, Set<String> scopes, boolean test, String name,
                                          OffsetDateTime expiresAt, String replaces) {
        String key = newKey(test);
        ApiKeyEntity entity = new ApiKeyEntity();
        entity.id = "key_" + randomHex(8);
        entity.tenantId = tenantId;
        entity.keyHash = hash(key);
        entity.keyPrefix = displayPrefix(key);
        entity.scopes = scopes.stream().sorted().toArray(String[]::new);
        entity.testMode = test;
        entity.expiresAt = expiresAt;
        entity.name = name;
        entity.replaces = replaces;
        return keys.persist(entity).map(saved -> new AdminApi.IssuedKey(saved.id, key, saved.tenantId, saved.keyPrefix,
                Arrays.asList(saved.scopes), saved.testMode, saved.expiresAt, saved.replaces));
    }

    private Uni<TenantEntity> requireTenant(String id) {
        return tenants.findById(id).onItem().ifNull().failWith(() -> ApiException.notFound("Tenant"));
    }

    private Uni<ApiKeyEntity> requireKey(String id) {
        return keys.findById(id).onItem().ifNull().failWith(() -> ApiException.notFound("API key"));
    }

    private static Set<String> validScopes(List<String> scopes) {
        if (scopes == null || scopes.isEmpty()) {
            throw ApiException.validation("At least one scope is required.", Map.of("field", "scopes", "known", sortedScopes()));
        }
        List<String> unknown = scopes.stream().filter(scope -> !Scopes.ALL.contains(scope)).toList();
        if (!unknown.isEmpty()) {
            throw ApiException.validation("Unknown scopes: " + String.join(", ", unknown) + ".",
                    Map.of("field", "scopes", "unknown", unknown, "known", sortedScopes()));
        }
        return Set.copyOf(scopes);
    }

    private static List<String> sortedScopes() {
        return Scopes.ALL.stream().sorted().toList();
    }

    private static void validate(AdminApi.RateLimit limit) {
        if (limit != null && (limit.capacity() == null || limit.capacity() < 1 || limit.refillPerSecond() == null
                || limit.refillPerSecond() <= 0)) {
            throw ApiException.validation("rateLimit needs capacity >= 1 and refillPerSecond > 0.", Map.of("field", "rateLimit"));
        }
    }

    private static void apply(TenantEntity tenant, AdminApi.RateLimit limit) {
        tenant.rateCapacity = limit == null ? null : limit.capacity();
        tenant.rateRefillPerSecond = limit == null ? null : limit.refillPerSecond();
    }

    private static AdminApi.Tenant view(TenantEntity tenant) {
        AdminApi.RateLimit limit = tenant.rateCapacity == null ? null : new AdminApi.RateLimit(tenant.rateCapacity, tenant.rateRefillPerSecond);
        return new AdminApi.Tenant(tenant.id, tenant.name, limit);
    }

    private static AdminApi.Key view(ApiKeyEntity key) {
        return new AdminApi.Key(key.id, key.tenantId, key.keyPrefix, key.name, Arrays.asList(key.scopes), key.testMode,
                key.expiresAt, key.revokedAt, key.replaces);
    }

    /** 256 random bits, hex, after the OpenWOP prefix. */
    static String newKey(boolean test) {
        return (test ? TEST_PREFIX : LIVE_PREFIX) + randomHex(32);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Creates the configured bootstrap tenant and key if they are missing, before the gateway takes traffic. */
    void onStart(@Observes StartupEvent start) throws Throwable {
        var bootstrap = config.bootstrap();
        if (bootstrap.tenant().isEmpty() || bootstrap.apiKey().isEmpty()) {
            return;
        }
        String tenant = bootstrap.tenant().get();
        String key = bootstrap.apiKey().get();
        if (!key.startsWith(LIVE_PREFIX) || key.length() < 32) {
            throw new IllegalStateException("capstan.gateway.bootstrap.api-key must start with hk_ and have 32+ characters");
        }
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> ensureKey(tenant, key, bootstrap.scopes())));
        LOG.infof("Bootstrap tenant %s has its API key %s...", tenant, displayPrefix(key));
    }

    private Uni<Void> ensureKey(String tenantId, String key, Set<String> scopes) {
        return tenants.findById(tenantId)
                .flatMap(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().item(existing);
                    }
                    TenantEntity tenant = new TenantEntity();
                    tenant.id = tenantId;
                    tenant.name = tenantId;
                    return tenants.persist(tenant);
                })
                .flatMap(tenant -> keys.findByHash(hash(key)))
                .flatMap(found -> {
                    if (found != null) {
                        return Uni.createFrom().voidItem();
                    }
                    ApiKeyEntity entity = new ApiKeyEntity();
                    entity.id = "key_" + hash(key).substring(0, 16);
                    entity.tenantId = tenantId;
                    entity.keyHash = hash(key);
                    entity.keyPrefix = displayPrefix(key);
                    entity.scopes = scopes.stream().sorted().toArray(String[]::new);
                    entity.testMode = key.startsWith(TEST_PREFIX);
                    return keys.persist(entity).replaceWithVoid();
                });
    }

    /** SHA-256 of the key, hex: what is stored and looked up. */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Enough of the key for a person to recognise it in a list, never enough to use it. */
    static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), key.startsWith(TEST_PREFIX) ? 12 : 7));
    }
}
