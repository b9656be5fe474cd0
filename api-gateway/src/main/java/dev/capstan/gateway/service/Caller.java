package dev.capstan.gateway.service;

import java.util.Set;

/**
 * A caller the gateway has authenticated: the tenant, the principal ({@code key:<id>} or
 * {@code oidc:<issuer name>:<sub>}), the scopes granted, test mode, the key id (null for OIDC) and the
 * tenant's stored rate limit (null for the configured default).
 */
public record Caller(String tenant, String principal, Set<String> scopes, boolean testMode, String keyId,
                     RateLimiter.Limit tenantLimit) {

    public Caller {
        scopes = Set.copyOf(scopes);
    }
}
