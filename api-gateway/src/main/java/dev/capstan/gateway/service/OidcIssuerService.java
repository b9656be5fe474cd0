package dev.capstan.gateway.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.gateway.repository.CredentialStore;
import dev.capstan.gateway.repository.IssuerStore;
import dev.capstan.gateway.repository.IssuerStore.StoredIssuer;
import dev.capstan.gateway.rest.AdminApi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * OIDC issuers registered through the admin API: a tenant's own identity provider, trusted for bearer
 * tokens from the moment it is registered (on this replica; others within {@code oidc.issuer-refresh}).
 */
@ApplicationScoped
public class OidcIssuerService {

    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_.:/-]{1,100}");
    private static final int MAX_ROLES = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final IssuerStore store;
    private final CredentialStore credentials;
    private final OidcIssuers issuers;

    public OidcIssuerService(IssuerStore store, CredentialStore credentials, OidcIssuers issuers) {
        this.store = store;
        this.credentials = credentials;
        this.issuers = issuers;
    }

    public Uni<AdminApi.Issuer> register(AdminApi.CreateIssuer request) {
        StoredIssuer issuer = validate(request);
        if (issuers.isConfigured(issuer.issuer())) {
            return Uni.createFrom().failure(conflict(issuer.issuer(), "It is configured on the gateway."));
        }
        Uni<Void> tenantExists = issuer.tenantId() == null ? Uni.createFrom().voidItem()
                : credentials.findTenant(issuer.tenantId()).invoke(found -> {
                    if (found.isEmpty()) {
                        throw ApiException.notFound("Tenant");
                    }
                }).replaceWithVoid();
        return tenantExists
                .flatMap(ok -> store.insert(issuer))
                .flatMap(inserted -> inserted ? issuers.reload().replaceWith(view(issuer, "admin"))
                        : Uni.createFrom().failure(conflict(issuer.issuer(), "It is already registered.")));
    }

    /** The registered issuers, then the configured ones (which only configuration can change). */
    public Uni<AdminApi.IssuerList> list() {
        return store.all().map(stored -> {
            List<AdminApi.Issuer> all = new ArrayList<>(stored.stream().map(issuer -> view(issuer, "admin")).toList());
            issuers.configuredIssuers().forEach(issuer -> all.add(new AdminApi.Issuer(issuer.name(), issuer.issuer(),
                    issuer.authServerUrl(), issuer.audience().orElse(null), issuer.tenant().orElse(null),
                    issuer.tenant().isPresent() ? null : issuer.tenantClaim(), issuer.roleScopes(), "config")));
            return new AdminApi.IssuerList(all);
        });
    }

    /** Removes a registered issuer: its tokens are refused from now on (on this replica). */
    public Uni<Void> remove(String id) {
        return store.delete(id).flatMap(deleted -> deleted ? issuers.reload()
                : Uni.createFrom().failure(ApiException.notFound("OIDC issuer")));
    }

    private static StoredIssuer validate(AdminApi.CreateIssuer request) {
        if (request == null) {
            throw ApiException.validation("A JSON body with issuer is required.", Map.of("field", "issuer"));
        }
        requireUrl(request.issuer(), "issuer", true);
        requireUrl(request.authServerUrl(), "authServerUrl", false);
        if (request.audience() != null && request.audience().isBlank()) {
            throw ApiException.validation("audience may not be blank.", Map.of("field", "audience"));
        }
        if (request.tenant() != null && request.tenant().isBlank()) {
            throw ApiException.validation("tenant may not be blank.", Map.of("field", "tenant"));
        }
        String claim = request.tenantClaim() == null ? "capstan_tenant" : request.tenantClaim();
        if (!CLAIM.matcher(claim).matches()) {
            throw ApiException.validation("tenantClaim is a claim name.", Map.of("field", "tenantClaim"));
        }
        Map<String, List<String>> roles = new LinkedHashMap<>();
        if (request.roleScopes() != null) {
            if (request.roleScopes().size() > MAX_ROLES) {
                throw ApiException.validation("At most " + MAX_ROLES + " roles map to scopes.", Map.of("field", "roleScopes"));
            }
            request.roleScopes().forEach((role, scopes) -> {
                List<String> unknown = scopes == null ? List.of("(none)")
                        : scopes.stream().filter(scope -> !Scopes.ALL.contains(scope)).toList();
                if (role == null || role.isBlank() || !unknown.isEmpty()) {
                    throw ApiException.validation("roleScopes maps role names to known scopes.",
                            Map.of("field", "roleScopes", "role", String.valueOf(role), "unknown", unknown));
                }
                roles.put(role, List.copyOf(scopes));
            });
        }
        return new StoredIssuer("iss_" + randomHex(), request.issuer(), request.authServerUrl(), request.audience(),
                request.tenant(), claim, roles);
    }

    private static void requireUrl(String value, String field, boolean required) {
        if (value == null && !required) {
            return;
        }
        try {
            URI uri = value == null ? null : new URI(value);
            if (uri != null && uri.isAbsolute() && uri.getHost() != null
                    && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                return;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw ApiException.validation(field + " must be an absolute http(s) URL.", Map.of("field", field));
    }

    private static ApiException conflict(String issuer, String why) {
        return new ApiException(ErrorCode.CONFLICT, "An issuer " + issuer + " is already trusted. " + why, Map.of("issuer", issuer));
    }

    private static AdminApi.Issuer view(StoredIssuer issuer, String source) {
        return new AdminApi.Issuer(issuer.id(), issuer.issuer(), issuer.authServerUrl(), issuer.audience(), issuer.tenantId(),
                issuer.tenantId() == null ? issuer.tenantClaim() : null, issuer.roleScopes(), source);
    }

    private static String randomHex() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
