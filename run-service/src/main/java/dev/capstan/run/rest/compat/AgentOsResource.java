package dev.capstan.run.rest.compat;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.run.service.compat.AgentOsService;
import dev.capstan.run.service.compat.CompatException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The AgentOS-compatible reads and cancel ({@code /workflows…}, {@code /config}, {@code /health}); the run-starting
 * form posts are {@link AgentOsRunRoute}. Errors are AgentOS' {@code {"detail": …}}.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class AgentOsResource {

    private static final Logger LOG = Logger.getLogger(AgentOsResource.class);

    private final AgentOsService service;
    private final CompatCaller caller;

    public AgentOsResource(AgentOsService service, CompatCaller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    @Path("workflows")
    public Uni<List<Map<String, Object>>> list() {
        return service.list(caller.require("manifest:read").tenant()).map(list -> list.stream().map(AgentOsResource::summary).toList());
    }

    @GET
    @Path("workflows/{workflowId}")
    public Uni<Map<String, Object>> get(@PathParam("workflowId") String workflowId) {
        return service.workflow(caller.require("manifest:read").tenant(), workflowId).map(definition -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", definition.id());
            body.put("name", definition.name() == null ? definition.id() : definition.name());
            if (definition.description() != null) {
                body.put("description", definition.description());
            }
            body.put("steps", AgentOsService.steps(definition));
            return body;
        });
    }

    @GET
    @Path("workflows/{workflowId}/runs/{runId}")
    public Uni<Map<String, Object>> run(@PathParam("workflowId") String workflowId, @PathParam("runId") String runId,
                                        @QueryParam("session_id") String sessionId) {
        String tenant = caller.require("runs:read").tenant();
        requireSession(sessionId);
        return service.output(tenant, workflowId, runId, sessionId);
    }

    @GET
    @Path("workflows/{workflowId}/runs")
    public Uni<List<Map<String, Object>>> runs(@PathParam("workflowId") String workflowId, @QueryParam("session_id") String sessionId,
                                               @QueryParam("status") String status) {
        String tenant = caller.require("runs:read").tenant();
        requireSession(sessionId);
        return service.runs(tenant, workflowId, sessionId, status);
    }

    @POST
    @Path("workflows/{workflowId}/runs/{runId}/cancel")
    public Uni<Map<String, Object>> cancel(@PathParam("workflowId") String workflowId, @PathParam("runId") String runId) {
        CallerIdentity who = caller.require("runs:cancel");
        return service.cancel(who, workflowId, runId, "cancelled through AgentOS").map(ignored -> Map.of());
    }

    @POST
    @Path("workflows/{workflowId}/runs/{runId}/resume")
    public Uni<Object> resumeStream(@PathParam("workflowId") String workflowId, @PathParam("runId") String runId) {
        caller.require("runs:read");
        throw new CompatException(501, "Not Implemented", "", "Resuming an event stream by last_event_index is not served; "
                + "read the run with GET /workflows/{id}/runs/{run_id}, whose events list is complete.");
    }

    /** The AgentOS ConfigResponse: the cookbook client discovers workflows here. */
    @GET
    @Path("config")
    public Uni<Map<String, Object>> config() {
        return service.list(caller.require("manifest:read").tenant()).map(list -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("os_id", "capstan");
            body.put("databases", List.of());
            body.put("agents", List.of());
            body.put("teams", List.of());
            body.put("workflows", list.stream().map(AgentOsResource::summary).toList());
            return body;
        });
    }

    @GET
    @Path("health")
    public Map<String, Object> health() {
        return Map.of("status", "ok");
    }

    private static Map<String, Object> summary(AgentOsService.Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("name", s.name());
        if (s.description() != null) {
            m.put("description", s.description());
        }
        return m;
    }

    private static void requireSession(String sessionId) {
        if (sessionId == null || sessionId.isBlank()) {
            throw CompatException.unprocessable("session_id is required");
        }
    }

    // ---- errors in AgentOS' shape

    @ServerExceptionMapper
    public Response mapCompat(CompatException e) {
        return detail(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response mapApi(ApiException e) {
        return detail(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        return status >= 500 ? unexpected(e) : detail(status, status == 404 ? "Not Found" : "The request could not be handled.");
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Throwable e) {
        if (e.getCause() instanceof CompatException compat) {
            return mapCompat(compat);
        }
        return unexpected(e);
    }

    private static Response unexpected(Throwable e) {
        String correlationId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected failure on the AgentOS surface, correlationId=%s", correlationId);
        return detail(500, "The server failed to handle the request; correlation id " + correlationId);
    }

    private static Response detail(int status, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("detail", detail)).build();
    }
}
