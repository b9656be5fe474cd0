package dev.capstan.common.identity;

import java.time.Instant;
import java.util.Set;

/**
 * Who is calling, as verified by the gateway: the tenant every query is scoped to, the principal
 * (user, agent or API key id) and the OpenWOP scopes granted.
 */
public record CallerIdentity(String tenant, String principal, Set<String> scopes, boolean testMode, Instant expiresAt) {

    public CallerIdentity {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        if (principal == null || principal.isBlank()) {
            throw new IllegalArgumentException("principal is required");
        }
        scopes = Set.copyOf(scopes);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }
}
