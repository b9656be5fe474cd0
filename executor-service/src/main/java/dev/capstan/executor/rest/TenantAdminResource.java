package dev.capstan.executor.rest;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.executor.config.ExecutorConfig;
import dev.capstan.executor.service.TenantAgents;
import dev.capstan.executor.service.TenantDirectory;
import dev.capstan.node.AgentProfile;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Operators' surface for tenant secrets, execution policy and agent definitions, behind the admin bearer token.
 * Secret values go in and never come out: listing returns names only.
 */
@Path("/admin/v1/tenants/{tenant}")
@Produces(MediaType.APPLICATION_JSON)
public class TenantAdminResource {

    private static final int MAX_NAMES = 1000;

    /** The body of a secret PUT; its text form never shows the value. */
    public record SecretValue(String value) {
        @Override
        public String toString() {
            return "SecretValue[value=***]";
        }
    }

    public record SecretNames(String tenantId, List<String> names, boolean truncated) {
    }

    public record PolicyUpdate(Boolean allowExec, Boolean allowPrivateTargets) {
    }

    /** The body of an agent PUT: every field optional (null = the run's model options and the platform decide). */
    public record AgentBody(String provider, String model, String systemPrompt, Double temperature, Integer maxTokens,
                            String credentialRef, String baseUrl) {
    }

    public record AgentView(String tenantId, String agentId, String provider, String model, String systemPrompt,
                            Double temperature, Integer maxTokens, String credentialRef, String baseUrl) {
        static AgentView of(String tenantId, AgentProfile a) {
            return new AgentView(tenantId, a.agentId(), a.provider(), a.model(), a.systemPrompt(), a.temperature(),
                    a.maxTokens(), a.credentialRef(), a.baseUrl());
        }
    }

    public record AgentList(String tenantId, List<AgentView> agents, boolean truncated) {
    }

    private final TenantDirectory tenants;
    private final TenantAgents agents;
    private final ExecutorConfig config;

    public TenantAdminResource(TenantDirectory tenants, TenantAgents agents, ExecutorConfig config) {
        this.tenants = tenants;
        this.agents = agents;
        this.config = config;
    }

    @PUT
    @Path("/secrets/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> putSecret(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("tenant") String tenant,
                                   @PathParam("name") String name, SecretValue body) {
        authorize(auth);
        return tenants.putSecret(tenant, name, body == null ? null : body.value()).map(x -> Response.noContent().build());
    }

    @DELETE
    @Path("/secrets/{name}")
    public Uni<Response> deleteSecret(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("tenant") String tenant,
                                      @PathParam("name") String name) {
        authorize(auth);
        return tenants.deleteSecret(tenant, name).map(x -> Response.noContent().build());
    }

    @GET
    @Path("/secrets")
    public Uni<SecretNames> listSecrets(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("tenant") String tenant) {
        authorize(auth);
        return tenants.secretNames(tenant, MAX_NAMES + 1).map(names -> names.size() > MAX_NAMES
                ? new SecretNames(tenant, names.subList(0, MAX_NAMES), true) : new SecretNames(tenant, names, false));
    }

    @GET
    @Path("/policy")
    public Uni<TenantDirectory.PolicyView> policy(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                                  @PathParam("tenant") String tenant) {
        authorize(auth);
        return tenants.policy(tenant);
    }

    @PUT
    @Path("/policy")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<TenantDirectory.PolicyView> putPolicy(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                                     @PathParam("tenant") String tenant, PolicyUpdate body) {
        authorize(auth);
        PolicyUpdate p = body == null ? new PolicyUpdate(null, null) : body;
        return tenants.putPolicy(tenant, p.allowExec(), p.allowPrivateTargets());
    }

    @PUT
    @Path("/agents/{agentId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<AgentView> putAgent(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("tenant") String tenant,
                                   @PathParam("agentId") String agentId, AgentBody body) {
        authorize(auth);
        AgentBody b = body == null ? new AgentBody(null, null, null, null, null, null, null) : body;
        return agents.put(tenant, new AgentProfile(agentId, b.provider(), b.model(), b.systemPrompt(), b.temperature(),
                b.maxTokens(), b.credentialRef(), b.baseUrl())).map(a -> AgentView.of(tenant, a));
    }

    @GET
    @Path("/agents/{agentId}")
    public Uni<AgentView> agent(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("tenant") String tenant,
                                @PathParam("agentId") String agentId) {
        authorize(auth);
        return agents.get(tenant, agentId).map(a -> AgentView.of(tenant, a));
    }

    @GET
    @Path("/agents")
    public Uni<AgentList> listAgents(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("tenant") String tenant) {
        authorize(auth);
        return agents.list(tenant, MAX_NAMES + 1).map(all -> {
            List<AgentView> views = all.stream().limit(MAX_NAMES).map(a -> AgentView.of(tenant, a)).toList();
            return new AgentList(tenant, views, all.size() > MAX_NAMES);
        });
    }

    @DELETE
    @Path("/agents/{agentId}")
    public Uni<Response> deleteAgent(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("tenant") String tenant,
                                     @PathParam("agentId") String agentId) {
        authorize(auth);
        return agents.delete(tenant, agentId).map(x -> Response.noContent().build());
    }

    private void authorize(String authorization) {
        String expected = config.admin().token().filter(t -> !t.isBlank()).orElse(null);
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        if (expected == null || given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, expected == null
                    ? "The admin API is disabled: capstan.executor.admin.token is not set."
                    : "The admin API needs the admin bearer token.");
        }
    }
}
