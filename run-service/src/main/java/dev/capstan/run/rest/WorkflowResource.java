package dev.capstan.run.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.common.identity.CurrentCaller;
import dev.capstan.run.service.WorkflowService;
import dev.capstan.run.service.WorkflowService.RegisteredWorkflow;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import org.jboss.resteasy.reactive.RestResponse;

/** OpenWOP workflow definitions of the calling tenant. */
@Path("/v1/workflows")
@Produces(MediaType.APPLICATION_JSON)
public class WorkflowResource {

    private final WorkflowService workflows;
    private final CurrentCaller caller;

    public WorkflowResource(WorkflowService workflows, CurrentCaller caller) {
        this.workflows = workflows;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<RegisteredWorkflow>> register(JsonNode definition) {
        String tenant = caller.require("workspace:write").tenant();
        return workflows.register(tenant, definition)
                .map(registered -> RestResponse.ResponseBuilder
                        .<RegisteredWorkflow>created(URI.create("/v1/workflows/" + registered.workflowId()))
                        .entity(registered)
                        .build());
    }

    @GET
    @Path("/{workflowId}")
    public Uni<JsonNode> get(@PathParam("workflowId") String workflowId) {
        return workflows.latest(caller.require("manifest:read").tenant(), workflowId);
    }
}
