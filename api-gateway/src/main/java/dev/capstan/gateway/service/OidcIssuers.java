package dev.capstan.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.repository.IssuerStore;
import dev.capstan.gateway.repository.IssuerStore.StoredIssuer;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * The OIDC issuers the gateway trusts — those of the configuration and those registered through the
 * admin API — each bound to one tenant or naming the tenant in a claim, and the mapping of a verified
 * token to a {@link Caller}. Signature, expiry, issuer and audience are checked by quarkus-oidc with the
 * configuration {@link #tenantConfigFor} builds. The table is an immutable map swapped whole: this
 * replica's admin changes reload it at once, and it is re-read every {@code oidc.issuer-refresh} for the
 * changes of other replicas.
 */
@ApplicationScoped
public class OidcIssuers {

    private static final Logger LOG = Logger.getLogger(OidcIssuers.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A trusted issuer. {@code name} is the configured name or the stored id (it appears in principals);
     * {@code tenantConfigId} names its quarkus-oidc configuration, unique per registration so a removed
     * and re-registered issuer never reuses a cached one.
     */
    public record TrustedIssuer(String name, String issuer, String authServerUrl, Optional<String> audience,
                                Optional<String> tenant, String tenantClaim, Map<String, List<String>> roleScopes,
                                String tenantConfigId, boolean configured) {
    }

    private final Map<String, TrustedIssuer> configured = new LinkedHashMap<>();
    private volatile Map<String, TrustedIssuer> byIssuer;
    private final Map<String, List<String>> globalRoleScopes;
    private final Duration refresh;
    private final IssuerStore issuers;
    private final CredentialCache credentials;
    private final Authenticator authenticator;
    private final Vertx vertx;
    private long refreshTimer = -1;

    public OidcIssuers(GatewayConfig config, IssuerStore issuers, CredentialCache credentials, Authenticator authenticator,
                       Vertx vertx) {
        this.globalRoleScopes = config.oidc().roleScopes();
        config.oidc().issuers().forEach((name, issuer) -> configured.put(issuer.issuer(), new TrustedIssuer(name,
                issuer.issuer(), issuer.authServerUrl().orElse(issuer.issuer()), issuer.audience(), issuer.tenant(),
                issuer.tenantClaim(), globalRoleScopes, "issuer-" + name, true)));
        this.byIssuer = Map.copyOf(configured);
        this.refresh = config.oidc().issuerRefresh();
        this.issuers = issuers;
        this.credentials = credentials;
        this.authenticator = authenticator;
        this.vertx = vertx;
    }

    /** Loads the stored issuers before traffic, then keeps re-reading them. */
    void onStart(@Observes StartupEvent start) {
        reload().await().atMost(Duration.ofSeconds(30));
        if (!refresh.isZero() && !refresh.isNegative()) {
            refreshTimer = vertx.setPeriodic(refresh.toMillis(), id -> reload().subscribe().with(
                    loaded -> { },
                    failure -> LOG.warnf("Stored OIDC issuers not re-read (the previous table stays): %s", failure.getMessage())));
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (refreshTimer >= 0) {
            vertx.cancelTimer(refreshTimer);
        }
    }

    /** Re-reads the stored issuers and swaps the table (configured issuers win over stored ones). */
    public Uni<Void> reload() {
        return issuers.all().invoke(stored -> {
            Map<String, TrustedIssuer> table = new LinkedHashMap<>();
            stored.forEach(issuer -> table.put(issuer.issuer(), trusted(issuer)));
            table.putAll(configured);
            byIssuer = Map.copyOf(table);
        }).replaceWithVoid();
    }

    /** Whether an issuer comes from configuration (and so cannot be registered or removed through the admin API). */
    public boolean isConfigured(String issuer) {
        return configured.containsKey(issuer);
    }

    public Collection<TrustedIssuer> configuredIssuers() {
        return configured.values();
    }

    private TrustedIssuer trusted(StoredIssuer stored) {
        // The issuer's own role mapping adds to the configured one.
        Map<String, List<String>> roles = new LinkedHashMap<>(globalRoleScopes);
        roles.putAll(stored.roleScopes());
        return new TrustedIssuer(stored.id(), stored.issuer(),
                stored.authServerUrl() == null ? stored.issuer() : stored.authServerUrl(),
                Optional.ofNullable(stored.audience()), Optional.ofNullable(stored.tenantId()), stored.tenantClaim(),
                Map.copyOf(roles), "issuer-" + stored.id(), false);
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
        var token = OidcTenantConfig.authServerUrl(issuer.authServerUrl())
                .tenantId(issuer.tenantConfigId())
                .applicationType(ApplicationType.SERVICE)
                .token().issuer(issuer.issuer());
        issuer.audience().ifPresent(token::audience);
        return token.end().build();
    }

    /** The caller of a verified token: tenant from the issuer binding or the claim, scopes from scope/roles. */
    public Uni<Caller> toCaller(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return authenticator.refuse("oidc_invalid", ErrorCode.UNAUTHENTICATED, "The bearer token is not valid.");
        }
        TrustedIssuer issuer = byIssuer.get(jwt.getIssuer());
        if (issuer == null) {
            // Also an issuer removed between verification and here.
            return authenticator.refuse("oidc_unknown_issuer", ErrorCode.UNAUTHENTICATED, "The token's issuer is not trusted.");
        }
        Object claimed = jwt.getClaim(issuer.tenantClaim());
        String claimedTenant = claimed == null ? null : claimed.toString().replace("\"", "");
        String tenant;
        if (issuer.tenant().isPresent()) {
            tenant = issuer.tenant().get();
            if (claimedTenant != null && !claimedTenant.equals(tenant)) {
                return forbidden("The token names a tenant its issuer does not serve.");
            }
        } else if (claimedTenant == null || claimedTenant.isBlank()) {
            return forbidden("The token does not name a tenant (claim " + issuer.tenantClaim() + ").");
        } else {
            tenant = claimedTenant;
        }
        Set<String> scopes = scopesOf(jwt, identity.getRoles(), issuer.roleScopes());
        String principal = "oidc:" + issuer.name() + ":" + jwt.getSubject();
        return credentials.findTenant(tenant).flatMap(found -> {
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
    static Set<String> scopesOf(JsonWebToken jwt, Set<String> roles, Map<String, List<String>> roleScopes) {
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
