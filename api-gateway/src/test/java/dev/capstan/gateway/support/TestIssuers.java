package dev.capstan.gateway.support;

import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A real local OIDC issuer (quarkus-test-oidc-server: WireMock serving discovery and JWKS, tokens signed
 * with its private key) trusted by the gateway under two issuer names: {@code shared}, whose tokens name
 * their tenant in {@code capstan_tenant}, and {@code tenant-b}, whose tokens all belong to tenant-b.
 */
public class TestIssuers extends OidcWiremockTestResource {

    public static final String SHARED = "https://server.example.com";
    public static final String TENANT_B = "https://tenant-b.example.com";
    public static final String UNTRUSTED = "https://untrusted.example.com";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        String realm = config.get("keycloak.url") + "/realms/quarkus";
        config.put("capstan.gateway.oidc.issuers.shared.issuer", SHARED);
        config.put("capstan.gateway.oidc.issuers.shared.auth-server-url", realm);
        config.put("capstan.gateway.oidc.issuers.tenant-b.issuer", TENANT_B);
        config.put("capstan.gateway.oidc.issuers.tenant-b.auth-server-url", realm);
        config.put("capstan.gateway.oidc.issuers.tenant-b.tenant", "tenant-b");
        config.put("capstan.gateway.oidc.role-scopes.workflow-reader", "manifest:read");
        return config;
    }

    /** A token of {@code issuer}, signed by the local issuer's key, valid for five minutes. */
    public static String token(String issuer, String subject, String tenant, String scope, String... groups) {
        JwtClaimsBuilder claims = Jwt.issuer(issuer).subject(subject).expiresAt(Instant.now().plusSeconds(300));
        if (tenant != null) {
            claims.claim("capstan_tenant", tenant);
        }
        if (scope != null) {
            claims.claim("scope", scope);
        }
        if (groups.length > 0) {
            claims.groups(java.util.Set.of(groups));
        }
        return claims.jws().keyId("1").sign("privateKey.jwk");
    }

    /** A token of the shared issuer that expired a minute ago. */
    public static String expiredToken(String tenant, String scope) {
        return Jwt.issuer(SHARED).subject("late").claim("capstan_tenant", tenant).claim("scope", scope)
                .issuedAt(Instant.now().minusSeconds(600)).expiresAt(Instant.now().minusSeconds(60))
                .jws().keyId("1").sign("privateKey.jwk");
    }
}
