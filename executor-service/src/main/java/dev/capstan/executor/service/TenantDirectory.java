package dev.capstan.executor.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.executor.config.ExecutorConfig;
import dev.capstan.executor.repository.TenantRepository;
import dev.capstan.node.TenantEnvironment;
import dev.capstan.node.TenantPolicy;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Each tenant's secrets and execution policy: the encrypted store first, config-defined secrets
 * ({@code capstan.executor.secrets.<tenant>.<name>}) as the fallback for names the store does not have. Lookups
 * are cached for {@code tenant-cache-ms}; writes through this instance clear its cache at once (other instances
 * see them when their cache runs out). Values are never logged; failures name the tenant and secret only.
 */
@ApplicationScoped
public class TenantDirectory {

    private static final Logger LOG = Logger.getLogger(TenantDirectory.class);
    /** The names a node can reference as {@code ${secrets.NAME}}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]{0,255}");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");
    private static final int MAX_VALUE_CHARS = 65_536;

    public record PolicyView(String tenantId, Boolean allowExec, Boolean allowPrivateTargets) {
    }

    private record Cached(TenantEnvironment env, long until) {
    }

    private final ExecutorConfig config;
    private final TenantRepository store;
    private final Optional<SecretCipher> cipher;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public TenantDirectory(ExecutorConfig config, TenantRepository store) {
        this.config = config;
        this.store = store;
        this.cipher = config.secretsKey().filter(k -> !k.isBlank()).map(SecretCipher::new);
    }

    /** For the node runner: never blocks; a store failure fails the stage (the attempt is then retryable). */
    public CompletionStage<TenantEnvironment> lookup(String tenantId) {
        Cached c = cache.get(tenantId);
        if (c != null && c.until() > System.currentTimeMillis()) {
            return java.util.concurrent.CompletableFuture.completedFuture(c.env());
        }
        Uni<List<TenantRepository.SealedSecret>> sealed = cipher.isPresent() ? store.secrets(tenantId) : Uni.createFrom().item(List.of());
        return Uni.combine().all().unis(sealed, store.policy(tenantId)).asTuple()
                .map(t -> {
                    Map<String, String> secrets = new LinkedHashMap<>(config.secrets().getOrDefault(tenantId, Map.of()));
                    for (TenantRepository.SealedSecret s : t.getItem1()) {
                        try {
                            secrets.put(s.name(), cipher.get().open(tenantId, s.name(), s.nonce(), s.ciphertext()));
                        } catch (IllegalStateException e) {
                            LOG.warnf("Stored secret %s of tenant %s skipped: written with key %s, configured key is %s",
                                    s.name(), tenantId, s.keyId(), cipher.get().keyId());
                        }
                    }
                    TenantPolicy policy = t.getItem2().map(p -> new TenantPolicy(Optional.ofNullable(p.allowExec()),
                            Optional.ofNullable(p.allowPrivateTargets()))).orElse(TenantPolicy.NONE);
                    TenantEnvironment env = new TenantEnvironment(Map.copyOf(secrets), policy);
                    cache.put(tenantId, new Cached(env, System.currentTimeMillis() + config.tenantCacheMs()));
                    return env;
                })
                .subscribeAsCompletionStage();
    }

    public Uni<Void> putSecret(String tenantId, String name, String value) {
        checkTenant(tenantId);
        checkName(name);
        if (value == null || value.isEmpty() || value.length() > MAX_VALUE_CHARS) {
            throw ApiException.validation("value must be a non-empty string of at most " + MAX_VALUE_CHARS + " characters.",
                    Map.of("field", "value"));
        }
        SecretCipher c = cipher.orElseThrow(() -> new ApiException(ErrorCode.CAPABILITY_NOT_PROVIDED, 501,
                "Stored secrets need capstan.executor.secrets-key; config-defined secrets still work.",
                Map.of("requiredCapability", "secrets-store")));
        SecretCipher.Sealed s = c.seal(tenantId, name, value);
        return store.putSecret(tenantId, name, s.nonce(), s.ciphertext(), s.keyId()).invoke(() -> cache.remove(tenantId));
    }

    public Uni<Void> deleteSecret(String tenantId, String name) {
        checkTenant(tenantId);
        checkName(name);
        return store.deleteSecret(tenantId, name).invoke(() -> cache.remove(tenantId)).map(deleted -> {
            if (!deleted) {
                throw new ApiException(ErrorCode.NOT_FOUND, "The tenant has no stored secret named '" + name + "'.",
                        Map.of("tenantId", tenantId, "name", name));
            }
            return null;
        });
    }

    public Uni<List<String>> secretNames(String tenantId, int limit) {
        checkTenant(tenantId);
        return store.secretNames(tenantId, limit);
    }

    public Uni<PolicyView> policy(String tenantId) {
        checkTenant(tenantId);
        return store.policy(tenantId).map(p -> new PolicyView(tenantId, p.map(TenantRepository.StoredPolicy::allowExec).orElse(null),
                p.map(TenantRepository.StoredPolicy::allowPrivateTargets).orElse(null)));
    }

    public Uni<PolicyView> putPolicy(String tenantId, Boolean allowExec, Boolean allowPrivateTargets) {
        checkTenant(tenantId);
        return store.putPolicy(tenantId, allowExec, allowPrivateTargets).invoke(() -> cache.remove(tenantId))
                .map(x -> new PolicyView(tenantId, allowExec, allowPrivateTargets));
    }

    private static void checkTenant(String tenantId) {
        if (tenantId == null || !TENANT.matcher(tenantId).matches()) {
            throw ApiException.validation("The tenant id must be 1-128 letters, digits, '.', '_' or '-'.", Map.of("field", "tenant"));
        }
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.validation("A secret name starts with a letter or '_' and has at most 256 letters, digits, '.', '_'"
                    + " or '-' (the form ${secrets.NAME} can reference).", Map.of("field", "name"));
        }
    }
}
