package dev.capstan.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.config.GatewayConfig.Oidc.Issuer;
import dev.capstan.gateway.repository.CredentialStore;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The OIDC issuers the gateway trusts, each bound to one tenant or naming the tenant in a claim, and the
 * mapping of a verified token to a {@link Caller}. Signature, expiry, issuer and audience are checked by
 * quarkus-oidc with the configuration {@link #tenantConfigFor(String)} builds.
 */
@ApplicationScoped
public class OidcIssuers {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A trusted issuer under its configured name. */
    public record TrustedIssuer(String name, Issuer config) {
    }

    private final Map<String, TrustedIssuer> byIssuer = new LinkedHashMap<>();
    private final Map<String, List<String>> roleScopes;
    private final CredentialStore store;
    private final Authenticator authenticator;

    public OidcIssuers(GatewayConfig config, CredentialStore store, Authenticator authenticator) {
        config.oidc().issuers().forEach((name, issuer) -> byIssuer.put(issuer.issuer(), new TrustedIssuer(name, issuer)));
        this.roleScopes = config.oidc().roleScopes();
        this.store = store;
        this.authenticator = authenticator;
    }

    /** The issuer named in a JWT's (not yet verified) payload, if the gateway trusts it. */
    public Optional<TrustedIssuer> issuerOf(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return Optional.ofNullable(byIssuer.get(payload.path("iss").asText("")));
        } catch (IllegalArgumentException | IOException e) {
            // Not base64url JSON: not a token of any issuer.
            return Optional.empty();
        }
    }

    /** The quarkus-oidc tenant that verifies tokens of one issuer (bearer tokens only). */
    public OidcTenantConfig tenantConfigFor(TrustedIssuer issuer) {
        var token = OidcTenantConfig.authServerUrl(issuer.config().authServerUrl().orElse(issuer.config().issuer()))
                .tenantId("issuer-" + issuer.name())
                .applicationType(ApplicationType.SERVICE)
                .token().issuer(issuer.config().issuer());
        issuer.config().audience().ifPresent(token::audience);
        return token.end().build();
    }

    /** The caller of a verified token: tenant from the issuer binding or the claim, scopes from scope/roles. */
    public Uni<Caller> toCaller(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return authenticator.refuse("oidc_invalid", ErrorCode.UNAUTHENTICATED, "The bearer token is not valid.");
        }
        TrustedIssuer issuer = byIssuer.get(jwt.getIssuer());
        if (issuer == null) {
            return authenticator.refuse("oidc_unknown_issuer", ErrorCode.UNAUTHENTICATED, "The token's issuer is not trusted.");
        }
        Object claimed = jwt.getClaim(issuer.config().tenantClaim());
        String claimedTenant = claimed == null ? null : claimed.toString().replace("\"", "");
        String tenant;
        if (issuer.config().tenant().isPresent()) {
            tenant = issuer.config().tenant().get();
            if (claimedTenant != null && !claimedTenant.equals(tenant)) {
                return forbidden("The token names a tenant its issuer does not serve.");
            }
        } else if (claimedTenant == null || claimedTenant.isBlank()) {
            return forbidden("The token does not name a tenant (claim " + issuer.config().tenantClaim() + ").");
        } else {
            tenant = claimedTenant;
        }
        Set<String> scopes = scopesOf(jwt, identity.getRoles());
        String principal = "oidc:" + issuer.name() + ":" + jwt.getSubject();
        return store.findTenant(tenant).flatMap(found -> {
            if (found.isEmpty()) {
                return forbidden("The token's tenant is not known to this platform.");
            }
            var stored = found.get();
            RateLimiter.Limit limit = stored.rateCapacity() == null || stored.rateRefillPerSecond() == null ? null
                    : new RateLimiter.Limit(stored.rateCapacity(), stored.rateRefillPerSecond());
            return Uni.createFrom().item(new Caller(tenant, principal, scopes, false, null, limit));
        });
    }

    /** OpenWOP scopes named directly in {@code scope} or the roles, plus those the role mapping grants. */
    Set<String> scopesOf(JsonWebToken jwt, Set<String> roles) {
        Set<String> granted = new HashSet<>();
        Set<String> values = new HashSet<>(roles);
        Object scope = jwt.getClaim("scope");
        if (scope != null) {
            for (String value : scope.toString().replace("\"", "").split(" ")) {
                values.add(value);
            }
        }
        for (String value : values) {
            if (Scopes.ALL.contains(value)) {
                granted.add(value);
            }
            List<String> mapped = roleScopes.get(value);
            if (mapped != null) {
                mapped.stream().filter(Scopes.ALL::contains).forEach(granted::add);
            }
        }
        return granted;
    }

    private static <T> Uni<T> forbidden(String message) {
        return Uni.createFrom().failure(new ApiException(ErrorCode.FORBIDDEN, message));
    }
}
