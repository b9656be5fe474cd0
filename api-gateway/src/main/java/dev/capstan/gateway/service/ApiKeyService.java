package dev.capstan.gateway.service;

import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.repository.ApiKeyEntity;
import dev.capstan.gateway.repository.ApiKeyRepository;
import dev.capstan.gateway.repository.TenantEntity;
import dev.capstan.gateway.repository.TenantRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.jboss.logging.Logger;

/** Tenants and their API keys. */
@ApplicationScoped
public class ApiKeyService {

    public static final String LIVE_PREFIX = "hk_";
    public static final String TEST_PREFIX = "hk_test_";
    private static final Logger LOG = Logger.getLogger(ApiKeyService.class);

    private final TenantRepository tenants;
    private final ApiKeyRepository keys;
    private final GatewayConfig config;

    public ApiKeyService(TenantRepository tenants, ApiKeyRepository keys, GatewayConfig config) {
        this.tenants = tenants;
        this.keys = keys;
        this.config = config;
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
