package dev.capstan.gateway.rest;

import dev.capstan.gateway.service.ApiKeyService;
import dev.capstan.gateway.service.OidcIssuerService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * The admin API: tenants and their API keys. Only the admin credential opens it ({@link AdminAuthFilter});
 * it is not part of the public OpenWOP surface.
 */
@Path("/admin/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final ApiKeyService keys;
    private final OidcIssuerService issuers;

    public AdminResource(ApiKeyService keys, OidcIssuerService issuers) {
        this.keys = keys;
        this.issuers = issuers;
    }

    @POST
    @Path("/tenants")
    @ResponseStatus(201)
    public Uni<AdminApi.Tenant> createTenant(AdminApi.CreateTenant request) {
        return keys.createTenant(request);
    }

    @GET
    @Path("/tenants/{tenantId}")
    public Uni<AdminApi.Tenant> tenant(@PathParam("tenantId") String tenantId) {
        return keys.tenant(tenantId);
    }

    @PATCH
    @Path("/tenants/{tenantId}")
    public Uni<AdminApi.Tenant> updateTenant(@PathParam("tenantId") String tenantId, AdminApi.UpdateTenant request) {
        return keys.updateTenant(tenantId, request);
    }

    @GET
    @Path("/tenants/{tenantId}/keys")
    public Uni<AdminApi.KeyList> keys(@PathParam("tenantId") String tenantId) {
        return keys.listKeys(tenantId);
    }

    @POST
    @Path("/keys")
    @ResponseStatus(201)
    public Uni<AdminApi.IssuedKey> createKey(AdminApi.CreateKey request) {
        return keys.createKey(request);
    }

    @POST
    @Path("/keys/{keyId}/rotate")
    @ResponseStatus(201)
    public Uni<AdminApi.IssuedKey> rotateKey(@PathParam("keyId") String keyId, AdminApi.RotateKey request) {
        return keys.rotateKey(keyId, request);
    }

    @PATCH
    @Path("/keys/{keyId}")
    public Uni<AdminApi.Key> updateKey(@PathParam("keyId") String keyId, AdminApi.UpdateKey request) {
        return keys.updateKey(keyId, request);
    }

    @DELETE
    @Path("/keys/{keyId}")
    public Uni<AdminApi.Key> revokeKey(@PathParam("keyId") String keyId) {
        return keys.revokeKey(keyId);
    }

    @POST
    @Path("/oidc-issuers")
    @ResponseStatus(201)
    public Uni<AdminApi.Issuer> registerIssuer(AdminApi.CreateIssuer request) {
        return issuers.register(request);
    }

    @GET
    @Path("/oidc-issuers")
    public Uni<AdminApi.IssuerList> issuers() {
        return issuers.list();
    }

    @DELETE
    @Path("/oidc-issuers/{issuerId}")
    @ResponseStatus(204)
    public Uni<Void> removeIssuer(@PathParam("issuerId") String issuerId) {
        return issuers.remove(issuerId);
    }
}
