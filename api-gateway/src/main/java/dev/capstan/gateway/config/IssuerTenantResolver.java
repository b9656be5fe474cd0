package dev.capstan.gateway.config;

import dev.capstan.gateway.service.Authenticator;
import dev.capstan.gateway.service.OidcIssuers;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Chooses the quarkus-oidc configuration for a bearer JWT by its issuer. API keys and tokens of unknown
 * issuers get none (the default tenant is disabled), so OIDC leaves them to the gateway's own checks.
 */
@ApplicationScoped
public class IssuerTenantResolver implements TenantConfigResolver {

    private final OidcIssuers issuers;

    public IssuerTenantResolver(OidcIssuers issuers) {
        this.issuers = issuers;
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext context, OidcRequestContext<OidcTenantConfig> requestContext) {
        String token = Authenticator.bearer(context.request().getHeader("Authorization"));
        if (token == null || !Authenticator.looksLikeJwt(token)) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().item(issuers.issuerOf(token).map(issuers::tenantConfigFor).orElse(null));
    }
}
