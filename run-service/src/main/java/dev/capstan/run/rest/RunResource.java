package dev.capstan.run.rest;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.CurrentCaller;
import dev.capstan.run.rest.RunApi.CancelRequest;
import dev.capstan.run.rest.RunApi.CancelledRun;
import dev.capstan.run.rest.RunApi.CreateRunRequest;
import dev.capstan.run.rest.RunApi.CreatedRun;
import dev.capstan.run.rest.RunApi.PolledEvents;
import dev.capstan.run.service.RunService;
import dev.capstan.workflow.event.RunEvent;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.jboss.resteasy.reactive.RestResponse;

/** OpenWOP runs of the calling tenant. */
@Path("/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private final RunService runs;
    private final CurrentCaller caller;

    public RunResource(RunService runs, CurrentCaller caller) {
        this.runs = runs;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<CreatedRun>> create(CreateRunRequest request) {
        CallerIdentity who = caller.require("runs:create");
        if (request == null) {
            throw ApiException.validation("A JSON body with workflowId is required.", Map.of());
        }
        return runs.start(who, request.workflowId(), request.inputs(), request.configurable(), request.tags(), request.metadata())
                .map(row -> RestResponse.ResponseBuilder
                        .<CreatedRun>created(URI.create("/v1/runs/" + row.runId()))
                        .entity(new CreatedRun(row.runId(), row.status(), "/v1/runs/" + row.runId() + "/events",
                                "/v1/runs/" + row.runId()))
                        .build());
    }

    @GET
    @Path("/{runId}")
    public Uni<Map<String, Object>> get(@PathParam("runId") String runId) {
        return runs.snapshot(caller.require("runs:read").tenant(), runId);
    }

    @POST
    @Path("/{runId}/cancel")
    public Uni<CancelledRun> cancel(@PathParam("runId") String runId, CancelRequest request) {
        CallerIdentity who = caller.require("runs:cancel");
        return runs.cancel(who.tenant(), runId, request == null ? null : request.reason(), who.principal())
                .map(row -> new CancelledRun(runId, row.status()));
    }

    @GET
    @Path("/{runId}/events/poll")
    public Uni<PolledEvents> poll(@PathParam("runId") String runId, @QueryParam("lastSequence") @DefaultValue("-1") long lastSequence,
                                  @QueryParam("timeout") @DefaultValue("30") int timeoutSeconds) {
        if (timeoutSeconds < 0 || timeoutSeconds > 60) {
            throw ApiException.validation("timeout must be between 0 and 60 seconds.", Map.of("field", "timeout"));
        }
        return runs.poll(caller.require("runs:read").tenant(), runId, lastSequence, Duration.ofSeconds(timeoutSeconds))
                .map(result -> new PolledEvents(result.events().stream().map(RunEvent::toDocument).toList(), result.complete()));
    }
}
