package dev.capstan.node;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** What a runner knows about the tenant of an attempt: its secrets by name and its stored policy. */
public record TenantEnvironment(Map<String, String> secrets, TenantPolicy policy) {

    public TenantEnvironment {
        secrets = secrets == null ? Map.of() : secrets;
        policy = policy == null ? TenantPolicy.NONE : policy;
    }

    /** Looks a tenant up without blocking the caller (a store may be remote). */
    @FunctionalInterface
    public interface Lookup {
        CompletionStage<TenantEnvironment> lookup(String tenantId);

        /** Secrets from a function (config, a file), no stored policy. */
        static Lookup ofSecrets(Function<String, Map<String, String>> secretsOfTenant) {
            return tenant -> CompletableFuture.completedFuture(new TenantEnvironment(secretsOfTenant.apply(tenant), TenantPolicy.NONE));
        }
    }
}
