package dev.capstan.run.rest;

import dev.capstan.run.service.JsonCodec;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.CurrentCaller;
import dev.capstan.run.rest.RunApi.BulkCancelRequest;
import dev.capstan.run.rest.RunApi.BulkCancelResponse;
import dev.capstan.run.rest.RunApi.BulkCancelResult;
import dev.capstan.run.rest.RunApi.CancelRequest;
import dev.capstan.run.rest.RunApi.ForkedRun;
import dev.capstan.run.rest.RunApi.PauseRequest;
import dev.capstan.run.rest.RunApi.PausedRun;
import dev.capstan.run.rest.RunApi.ResolveInterruptRequest;
import dev.capstan.run.rest.RunApi.ResolvedInterrupt;
import dev.capstan.run.rest.RunApi.ResumeRequest;
import dev.capstan.run.rest.RunApi.ResumedRun;
import dev.capstan.run.rest.RunApi.CancelledRun;
import dev.capstan.run.rest.RunApi.CreateRunRequest;
import dev.capstan.run.rest.RunApi.CreatedRun;
import dev.capstan.run.rest.RunApi.PolledEvents;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.rest.RunApi.MintTokenRequest;
import dev.capstan.run.service.ArtifactService;
import dev.capstan.run.service.IdempotencyService;
import dev.capstan.run.service.InterruptTokenService;
import dev.capstan.run.service.RunService;
import dev.capstan.workflow.engine.DrainPolicy;
import dev.capstan.workflow.event.RunEvent;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

/** OpenWOP runs of the calling tenant. */
@Path("/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private static final int MAX_BULK_CANCEL = 100;

    private static final String IDEMPOTENT_REPLAY = "openwop-Idempotent-Replay";

    private final RunService runs;
    private final IdempotencyService idempotency;
    private final CurrentCaller caller;
    private final JsonCodec json;
    private final InterruptTokenService interruptTokens;
    private final ArtifactService artifacts;

    public RunResource(RunService runs, IdempotencyService idempotency, CurrentCaller caller, JsonCodec json,
                       InterruptTokenService interruptTokens, ArtifactService artifacts) {
        this.runs = runs;
        this.interruptTokens = interruptTokens;
        this.artifacts = artifacts;
        this.idempotency = idempotency;
        this.caller = caller;
        this.json = json;
    }

    /** {@code POST /v1/runs}, with OpenWOP Idempotency-Key semantics. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<String>> create(CreateRunRequest request, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        CallerIdentity who = caller.require("runs:create");
        if (request == null) {
            throw ApiException.validation("A JSON body with workflowId is required.", Map.of());
        }
        return idempotency.once(who.tenant(), "POST /v1/runs", idempotencyKey, request, () -> runs
                        .start(who, request.workflowId(), request.inputs(), request.configurable(), request.tags(), request.metadata())
                        .map(row -> new IdempotencyService.Outcome(201, json.write(new CreatedRun(row.runId(), row.status(),
                                "/v1/runs/" + row.runId() + "/events", "/v1/runs/" + row.runId())), false)))
                .map(outcome -> {
                    RestResponse.ResponseBuilder<String> response = RestResponse.ResponseBuilder.<String>create(outcome.status())
                            .entity(outcome.body()).type(MediaType.APPLICATION_JSON_TYPE);
                    if (outcome.replayed()) {
                        response.header(IDEMPOTENT_REPLAY, "true");
                    }
                    return response.build();
                });
    }

    /** {@code POST /v1/runs/{runId}:fork}: replay or branch a run from a point of its log. */
    @POST
    @Path("/{runId}/actions/fork")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<ForkedRun>> fork(@PathParam("runId") String runId, Map<String, Object> body) {
        caller.require("runs:read");
        CallerIdentity who = caller.require("runs:create");
        return runs.fork(who.tenant(), runId, body).map(f -> RestResponse.ResponseBuilder
                .create(RestResponse.Status.CREATED, new ForkedRun(f.row().runId(), runId, f.fromSeq(), f.mode(),
                        f.row().status(), "/v1/runs/" + f.row().runId() + "/events")).build());
    }

    /** {@code POST /v1/runs:bulk-cancel}: per-run outcomes in request order; 200 even when every one fails. */
    @POST
    @Path("/actions/bulk-cancel")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<BulkCancelResponse> bulkCancel(BulkCancelRequest request) {
        CallerIdentity who = caller.require("runs:cancel");
        if (request == null || request.runIds() == null || request.runIds().isEmpty() || request.runIds().size() > MAX_BULK_CANCEL) {
            throw ApiException.validation("runIds must list 1 to " + MAX_BULK_CANCEL + " run ids.", Map.of("maxRunIds", MAX_BULK_CANCEL));
        }
        List<Uni<BulkCancelResult>> outcomes = request.runIds().stream()
                .map(runId -> runs.cancel(who.tenant(), runId, request.reason(), who.principal())
                        .map(row -> new BulkCancelResult(runId, true, row.status(), null))
                        .onFailure(ApiException.class).recoverWithItem(e -> {
                            ApiException api = (ApiException) e;
                            return new BulkCancelResult(runId, false, null, Map.of("code", api.code().code(), "message", api.getMessage()));
                        }))
                .toList();
        return Uni.join().all(outcomes).andFailFast().map(BulkCancelResponse::new);
    }

    /** {@code GET /v1/runs}: filter by workflow, status, tag and creation time; newest first, cursor pages. */
    @GET
    public Uni<RunService.RunPage> list(@QueryParam("workflowId") String workflowId, @QueryParam("status") String status,
                                        @QueryParam("tag") String tag, @QueryParam("createdAfter") String createdAfter,
                                        @QueryParam("createdBefore") String createdBefore,
                                        @QueryParam("limit") @DefaultValue("50") int limit, @QueryParam("cursor") String cursor) {
        String tenant = caller.require("runs:read").tenant();
        if (limit < 1 || limit > 200) {
            throw ApiException.validation("limit must be between 1 and 200.", Map.of("field", "limit"));
        }
        return runs.list(tenant, new RunRepository.RunFilter(workflowId, status, tag, instant("createdAfter", createdAfter),
                instant("createdBefore", createdBefore)), cursor, limit);
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.validation(field + " must be an ISO-8601 instant.", Map.of("field", field));
        }
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

    @POST
    @Path("/{runId}/actions/pause")
    @ResponseStatus(202)
    public Uni<PausedRun> pause(@PathParam("runId") String runId, PauseRequest request) {
        CallerIdentity who = caller.require("runs:cancel");
        DrainPolicy policy = drainPolicy(request == null ? null : request.drainPolicy());
        return runs.pause(who.tenant(), runId, request == null ? null : request.reason(), policy)
                .map(row -> new PausedRun(runId, row.status(), Instant.now().toString()));
    }

    @POST
    @Path("/{runId}/actions/resume")
    @ResponseStatus(202)
    public Uni<ResumedRun> resume(@PathParam("runId") String runId, ResumeRequest request) {
        CallerIdentity who = caller.require("runs:cancel");
        return runs.resume(who.tenant(), runId, request == null ? null : request.reason())
                .map(row -> new ResumedRun(runId, row.status(), Instant.now().toString()));
    }

    @POST
    @Path("/{runId}/interrupts/{nodeId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ResolvedInterrupt> resolveInterrupt(@PathParam("runId") String runId, @PathParam("nodeId") String nodeId,
                                                   ResolveInterruptRequest request) {
        CallerIdentity who = caller.require("approvals:respond");
        if (request == null || request.resumeValue() == null) {
            throw ApiException.validation("resumeValue is required.", Map.of("field", "resumeValue"));
        }
        return runs.resolveInterrupt(who.tenant(), runId, nodeId, request.resumeValue(), who.principal())
                .map(row -> new ResolvedInterrupt(runId, nodeId, row.status()));
    }

    /**
     * {@code POST /v1/runs/{runId}/interrupts/{nodeId}/tokens}: a signed token for the open interrupt, to hand to a
     * system that answers it through {@code /v1/interrupts/{token}} without credentials of its own.
     */
    @POST
    @Path("/{runId}/interrupts/{nodeId}/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    public Uni<InterruptTokenService.MintedToken> mintInterruptToken(@PathParam("runId") String runId,
                                                                     @PathParam("nodeId") String nodeId, MintTokenRequest request) {
        CallerIdentity who = caller.require("approvals:respond");
        return interruptTokens.mint(who.tenant(), runId, nodeId, request == null ? null : request.intent(),
                request == null ? null : request.ttlMs());
    }

    /** {@code GET /v1/runs/{runId}/artifacts/{artifactId}}: the newest version, or {@code ?version=}. */
    @GET
    @Path("/{runId}/artifacts/{artifactId}")
    public Uni<Map<String, Object>> artifact(@PathParam("runId") String runId, @PathParam("artifactId") String artifactId,
                                             @QueryParam("version") String version) {
        String tenant = caller.require("artifacts:read").tenant();
        Long wanted = null;
        if (version != null) {
            try {
                wanted = Long.parseLong(version);
            } catch (NumberFormatException e) {
                throw ApiException.validation("version must be an integer.", Map.of("field", "version"));
            }
        }
        return artifacts.get(tenant, runId, artifactId, wanted);
    }

    private static DrainPolicy drainPolicy(String raw) {
        if (raw == null) {
            return DrainPolicy.DRAIN_CURRENT_NODE;
        }
        for (DrainPolicy policy : DrainPolicy.values()) {
            if (policy.wireName().equals(raw)) {
                return policy;
            }
        }
        throw ApiException.validation("drainPolicy must be immediate or drain-current-node.", Map.of("field", "drainPolicy"));
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
