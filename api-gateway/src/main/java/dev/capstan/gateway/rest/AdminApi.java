package dev.capstan.gateway.rest;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The admin API's request and response bodies (separate from the entities). */
public final class AdminApi {

    private AdminApi() {
    }

    public record RateLimit(Long capacity, Double refillPerSecond) {
    }

    public record CreateTenant(String id, String name, RateLimit rateLimit) {
    }

    public record UpdateTenant(String name, RateLimit rateLimit) {
    }

    public record Tenant(String id, String name, RateLimit rateLimit) {
    }

    public record CreateKey(String tenant, List<String> scopes, Boolean test, String name, OffsetDateTime expiresAt) {
    }

    /** Sets ({@code expiresAt}) or removes ({@code expiresAt: null}) a key's expiry. */
    public record UpdateKey(OffsetDateTime expiresAt) {
    }

    /** The old key stays valid for {@code graceSeconds} (default 0: revoked at once). */
    public record RotateKey(Long graceSeconds) {
    }

    /** A key as listed: never the key itself. */
    public record Key(String id, String tenant, String prefix, String name, List<String> scopes, boolean testMode,
                      OffsetDateTime expiresAt, OffsetDateTime revokedAt, String replaces) {
    }

    /** A new key: the only time {@code key} is shown. */
    public record IssuedKey(String id, String key, String tenant, String prefix, List<String> scopes, boolean testMode,
                            OffsetDateTime expiresAt, String replaces) {
    }

    public record KeyList(List<Key> keys) {
    }

    /**
     * An OIDC issuer to trust: {@code issuer} is its tokens' {@code iss}; {@code authServerUrl} where its
     * discovery document lives (default: the issuer); {@code audience} the required {@code aud}, if any;
     * either {@code tenant} (all its tokens belong to that tenant) or {@code tenantClaim} (default
     * {@code capstan_tenant}) naming the tenant; {@code roleScopes} maps role or scope values to OpenWOP scopes.
     */
    public record CreateIssuer(String issuer, String authServerUrl, String audience, String tenant, String tenantClaim,
                               Map<String, List<String>> roleScopes) {
    }

    /** A trusted issuer; {@code source} is {@code admin} (removable here) or {@code config}. */
    public record Issuer(String id, String issuer, String authServerUrl, String audience, String tenant, String tenantClaim,
                         Map<String, List<String>> roleScopes, String source) {
    }

    public record IssuerList(List<Issuer> issuers) {
    }
}
