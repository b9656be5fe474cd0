package dev.capstan.run.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.identity.CurrentCaller;
import dev.capstan.run.service.WorkflowService;
import dev.capstan.run.service.WorkflowService.RegisteredWorkflow;
import dev.capstan.run.service.WorkflowService.WorkflowPage;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.Map;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

/** Workflow definitions of the calling tenant: OpenWOP JSON, or OSOP YAML sent as application/yaml. */
@Path("/v1/workflows")
@Produces(MediaType.APPLICATION_JSON)
public class WorkflowResource {

    private static final int MAX_PAGE = 200;
    private static final String READ = "manifest:read";
    private static final String WRITE = "workspace:write";

    private final WorkflowService workflows;
    private final CurrentCaller caller;

    public WorkflowResource(WorkflowService workflows, CurrentCaller caller) {
        this.workflows = workflows;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<RegisteredWorkflow>> register(JsonNode definition) {
        return workflows.register(caller.require(WRITE).tenant(), definition).map(WorkflowResource::created);
    }

    @POST
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml"})
    public Uni<RestResponse<RegisteredWorkflow>> registerOsop(String yaml) {
        return workflows.registerOsop(caller.require(WRITE).tenant(), yaml).map(WorkflowResource::created);
    }

    @GET
    public Uni<WorkflowPage> list(@QueryParam("limit") @DefaultValue("50") int limit, @QueryParam("cursor") String cursor) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiException.validation("limit must be between 1 and " + MAX_PAGE + ".", Map.of("field", "limit"));
        }
        return workflows.list(caller.require(READ).tenant(), cursor, limit);
    }

    @GET
    @Path("/{workflowId}")
    public Uni<JsonNode> get(@PathParam("workflowId") String workflowId) {
        return workflows.latest(caller.require(READ).tenant(), workflowId);
    }

    @PUT
    @Path("/{workflowId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RegisteredWorkflow> update(@PathParam("workflowId") String workflowId, JsonNode definition) {
        return workflows.update(caller.require(WRITE).tenant(), workflowId, definition);
    }

    @DELETE
    @Path("/{workflowId}")
    @ResponseStatus(204)
    public Uni<Void> delete(@PathParam("workflowId") String workflowId) {
        return workflows.delete(caller.require(WRITE).tenant(), workflowId);
    }

    private static RestResponse<RegisteredWorkflow> created(RegisteredWorkflow registered) {
        return RestResponse.ResponseBuilder
                .<RegisteredWorkflow>created(URI.create("/v1/workflows/" + registered.workflowId()))
                .entity(registered)
                .build();
    }
}
