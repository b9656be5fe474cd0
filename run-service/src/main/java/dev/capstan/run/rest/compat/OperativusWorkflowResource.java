package dev.capstan.run.rest.compat;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.run.rest.compat.OperativusApi.ExecuteRequest;
import dev.capstan.run.rest.compat.OperativusApi.ExecutionResponse;
import dev.capstan.run.rest.compat.OperativusApi.GraphDto;
import dev.capstan.run.rest.compat.OperativusApi.HumanReviewDto;
import dev.capstan.run.rest.compat.OperativusApi.LayoutDto;
import dev.capstan.run.rest.compat.OperativusApi.NodeRunDto;
import dev.capstan.run.rest.compat.OperativusApi.PageDto;
import dev.capstan.run.rest.compat.OperativusApi.PageMeta;
import dev.capstan.run.rest.compat.OperativusApi.ResumeRequest;
import dev.capstan.run.rest.compat.OperativusApi.ResumeResponse;
import dev.capstan.run.rest.compat.OperativusApi.RouteOptionsDto;
import dev.capstan.run.rest.compat.OperativusApi.RunDto;
import dev.capstan.run.rest.compat.OperativusApi.StepDto;
import dev.capstan.run.rest.compat.OperativusApi.WorkflowDto;
import dev.capstan.run.service.compat.CompatException;
import dev.capstan.run.service.compat.CompatStatus;
import dev.capstan.run.service.compat.OperativusService;
import dev.capstan.run.service.compat.OperativusService.NodeRun;
import dev.capstan.run.service.compat.OperativusService.Page;
import dev.capstan.run.service.compat.OperativusService.RunView;
import dev.capstan.run.service.compat.OperativusService.Step;
import dev.capstan.run.service.compat.OperativusService.StepChange;
import dev.capstan.run.service.compat.OperativusService.StepWorkflow;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The Operativus-compatible {@code /api/v1/workflows} surface (agm {@code WorkflowsController}): step-list workflows,
 * their steps and runs. Errors are ProblemDetails. The DAG editing endpoints answer 501: Capstan's step lists run in
 * stepOrder and have no edges or saved layout to edit.
 */
@Path("/api/v1/workflows")
@Produces(MediaType.APPLICATION_JSON)
public class OperativusWorkflowResource {

    private static final Logger LOG = Logger.getLogger(OperativusWorkflowResource.class);
    private static final int MAX_PAGE = 200;
    private static final String READ = "manifest:read";
    private static final String WRITE = "workspace:write";

    private final OperativusService service;
    private final CompatCaller caller;

    public OperativusWorkflowResource(OperativusService service, CompatCaller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    public Uni<PageDto<WorkflowDto>> list(@QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("20") int size) {
        String tenant = caller.require(READ).tenant();
        int number = Math.max(0, page);
        int clamped = clamp(size);
        return service.list(tenant, number, clamped).map(p -> page(p, number, clamped, OperativusWorkflowResource::workflow));
    }

    @GET
    @Path("/{id}")
    public Uni<WorkflowDto> get(@PathParam("id") String id) {
        return service.get(caller.require(READ).tenant(), id).map(OperativusWorkflowResource::workflow);
    }

    @POST
    public Uni<RestResponse<WorkflowDto>> create(WorkflowDto body) {
        String tenant = caller.require(WRITE).tenant();
        if (body == null) {
            throw CompatException.badRequest("A workflow body is required.");
        }
        return service.create(tenant, body.name(), body.description()).map(w -> RestResponse.status(RestResponse.Status.CREATED, workflow(w)));
    }

    @PATCH
    @Path("/{id}")
    public Uni<WorkflowDto> update(@PathParam("id") String id, WorkflowDto body) {
        String tenant = caller.require(WRITE).tenant();
        return service.update(tenant, id, body == null ? null : body.name(), body == null ? null : body.description())
                .map(OperativusWorkflowResource::workflow);
    }

    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    public Uni<Void> delete(@PathParam("id") String id) {
        return service.delete(caller.require(WRITE).tenant(), id);
    }

    @POST
    @Path("/{id}/clone")
    public Uni<RestResponse<WorkflowDto>> cloneWorkflow(@PathParam("id") String id) {
        return service.cloneOf(caller.require(WRITE).tenant(), id).map(w -> RestResponse.status(RestResponse.Status.CREATED, workflow(w)));
    }

    // ---- steps

    @GET
    @Path("/{id}/steps")
    public Uni<List<StepDto>> steps(@PathParam("id") String id) {
        return service.steps(caller.require(READ).tenant(), id).map(steps -> steps.stream().map(s -> step(id, s)).toList());
    }

    @POST
    @Path("/{id}/steps")
    public Uni<RestResponse<StepDto>> addStep(@PathParam("id") String id, StepDto body) {
        String tenant = caller.require(WRITE).tenant();
        if (body == null) {
            throw CompatException.badRequest("A step body is required.");
        }
        return service.addStep(tenant, id, change(body)).map(s -> RestResponse.status(RestResponse.Status.CREATED, step(id, s)));
    }

    @PATCH
    @Path("/{id}/steps/{stepId}")
    public Uni<StepDto> updateStep(@PathParam("id") String id, @PathParam("stepId") String stepId, StepDto body) {
        String tenant = caller.require(WRITE).tenant();
        if (body == null) {
            throw CompatException.badRequest("A step body is required.");
        }
        return service.updateStep(tenant, id, stepId, change(body)).map(s -> step(id, s));
    }

    @DELETE
    @Path("/{id}/steps/{stepId}")
    @ResponseStatus(204)
    public Uni<Void> deleteStep(@PathParam("id") String id, @PathParam("stepId") String stepId) {
        return service.deleteStep(caller.require(WRITE).tenant(), id, stepId);
    }

    // ---- the DAG view: a step list is a graph without explicit edges (Operativus runs such a graph in step order)

    @GET
    @Path("/{id}/graph")
    public Uni<GraphDto> graph(@PathParam("id") String id) {
        return steps(id).map(steps -> new GraphDto(steps, List.of()));
    }

    @GET
    @Path("/{id}/edges")
    public Uni<List<Object>> edges(@PathParam("id") String id) {
        return service.steps(caller.require(READ).tenant(), id).map(steps -> List.of());
    }

    @GET
    @Path("/{id}/layout")
    public Uni<LayoutDto> layout(@PathParam("id") String id) {
        return service.steps(caller.require(READ).tenant(), id).map(steps -> new LayoutDto(List.of()));
    }

    @POST
    @Path("/{id}/edges")
    public Uni<Object> addEdge(@PathParam("id") String id) {
        return unsupported(WRITE, id, "DAG edges are not supported: Capstan runs Operativus workflows as step lists in stepOrder.");
    }

    @PATCH
    @Path("/{id}/edges/{edgeId}")
    public Uni<Object> updateEdge(@PathParam("id") String id, @PathParam("edgeId") String edgeId) {
        // A step list has no edges, so every edge id is unknown: Operativus answers that with 404.
        return service.steps(caller.require(WRITE).tenant(), id).map(steps -> {
            throw CompatException.notFound("Edge " + edgeId + " not found in workflow " + id + ".");
        });
    }

    @DELETE
    @Path("/{id}/edges/{edgeId}")
    @ResponseStatus(204)
    public Uni<Void> deleteEdge(@PathParam("id") String id, @PathParam("edgeId") String edgeId) {
        // Operativus: deleting an unknown edge is a silent no-op.
        return service.steps(caller.require(WRITE).tenant(), id).replaceWithVoid();
    }

    @PUT
    @Path("/{id}/layout")
    public Uni<Object> saveLayout(@PathParam("id") String id) {
        return unsupported(WRITE, id, "Saving a DAG editor layout is not supported by Capstan.");
    }

    @GET
    @Path("/{id}/validate")
    public Uni<Object> validate(@PathParam("id") String id) {
        return unsupported(READ, id, "The DAG validation report is not served; Capstan validates the steps whenever they change.");
    }

    // ---- runs

    @POST
    @Path("/{id}/run")
    public Uni<RestResponse<ExecutionResponse>> run(@PathParam("id") String id, ExecuteRequest body) {
        CallerIdentity who = caller.require("runs:create");
        return service.start(who, id, body == null ? null : body.input(), body == null ? null : body.sessionId())
                // The run is the job: its id is the jobId, and it is the id the run list shows.
                .map(run -> RestResponse.status(RestResponse.Status.ACCEPTED, new ExecutionResponse(run.runId(), run.workflowId(), run.sessionId())));
    }

    @GET
    @Path("/{workflowId}/runs")
    public Uni<PageDto<RunDto>> runs(@PathParam("workflowId") String workflowId, @QueryParam("page") @DefaultValue("0") int page,
                                     @QueryParam("size") @DefaultValue("20") int size) {
        String tenant = caller.require("runs:read").tenant();
        int number = Math.max(0, page);
        int clamped = clamp(size);
        return service.runs(tenant, workflowId, number, clamped).map(p -> page(p, number, clamped, OperativusWorkflowResource::run));
    }

    @POST
    @Path("/runs/{runId}/resume")
    public Uni<RestResponse<ResumeResponse>> resume(@PathParam("runId") String runId, ResumeRequest body) {
        CallerIdentity who = caller.require("approvals:respond");
        return service.resume(who, runId, body == null ? null : body.output())
                .map(jobId -> RestResponse.status(RestResponse.Status.ACCEPTED, new ResumeResponse(jobId, runId)));
    }

    @POST
    @Path("/runs/{runId}/continue")
    public Uni<Object> continueRun(@PathParam("runId") String runId) {
        String tenant = caller.require("approvals:respond").tenant();
        return service.status(tenant, runId).map(status -> {
            throw CompatException.conflict("Run " + runId + " is not awaiting a route selection: Capstan step lists have no ROUTER steps.");
        });
    }

    @GET
    @Path("/runs/{runId}/route-options")
    public Uni<RouteOptionsDto> routeOptions(@PathParam("runId") String runId) {
        return service.status(caller.require("runs:read").tenant(), runId)
                .map(status -> new RouteOptionsDto(runId, CompatStatus.operativus(status), false, List.of(), null));
    }

    @GET
    @Path("/runs/{runId}/node-runs")
    public Uni<List<NodeRunDto>> nodeRuns(@PathParam("runId") String runId) {
        return service.nodeRuns(caller.require("runs:read").tenant(), runId).map(list -> list.stream().map(OperativusWorkflowResource::nodeRun).toList());
    }

    @GET
    @Path("/runs/{runId}/child-node-runs")
    public Uni<List<Object>> childNodeRuns(@PathParam("runId") String runId) {
        // Step lists have no sub-workflow steps, so a run has no child traces.
        return service.status(caller.require("runs:read").tenant(), runId).map(status -> List.of());
    }

    @DELETE
    @Path("/runs/{runId}")
    @ResponseStatus(204)
    public Uni<Void> cancel(@PathParam("runId") String runId) {
        CallerIdentity who = caller.require("runs:cancel");
        return service.cancel(who, runId, "user-cancelled via DELETE /runs/" + runId);
    }

    // ---- errors in Operativus' shape

    @ServerExceptionMapper
    public Response mapCompat(CompatException e) {
        return OperativusErrors.problem(e.status(), e.title(), e.type(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response mapApi(ApiException e) {
        return OperativusErrors.problem(e.status(), e.status() == 404 ? "Resource Not Found" : "Request Rejected",
                "urn:problem-type:" + e.code().code().replace('_', '-'), e.getMessage());
    }

    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        if (status == 400) {
            return OperativusErrors.problem(400, "Malformed Request Body", "urn:problem-type:malformed-request-body",
                    "The request body could not be parsed. Ensure it is valid JSON matching the endpoint's schema.");
        }
        return OperativusErrors.problem(status, "Request Rejected", "urn:problem-type:http-" + status, "The request could not be handled.");
    }

    @ServerExceptionMapper
    public Response mapJson(com.fasterxml.jackson.core.JsonProcessingException e) {
        return OperativusErrors.problem(400, "Malformed Request Body", "urn:problem-type:malformed-request-body",
                "The request body could not be parsed. Ensure it is valid JSON matching the endpoint's schema.");
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
        LOG.errorf(e, "Unexpected failure on the Operativus surface, correlationId=%s", correlationId);
        return OperativusErrors.problem(500, "Internal Server Error", "urn:problem-type:internal-error",
                "The server failed to handle the request; quote correlation id " + correlationId + " when reporting it.");
    }

    // ---- mapping

    private Uni<Object> unsupported(String scope, String id, String detail) {
        return service.steps(caller.require(scope).tenant(), id).map(steps -> {
            throw CompatException.notImplemented(detail);
        });
    }

    private static int clamp(int size) {
        return size < 1 ? 20 : Math.min(size, MAX_PAGE);
    }

    private static <T, R> PageDto<R> page(Page<T> page, int number, int size, Function<T, R> map) {
        List<R> content = new ArrayList<>();
        page.content().forEach(item -> content.add(map.apply(item)));
        int totalPages = (int) ((page.totalElements() + size - 1) / size);
        return new PageDto<>(content, new PageMeta(size, number, page.totalElements(), totalPages));
    }

    private static WorkflowDto workflow(StepWorkflow w) {
        return new WorkflowDto(w.id(), w.name(), w.description(), w.steps().size(), time(w.createdAt()), time(w.updatedAt()));
    }

    private static StepDto step(String workflowId, Step s) {
        HumanReviewDto review = s.requiresConfirmation() || s.reviewAfter()
                ? new HumanReviewDto(s.requiresConfirmation(), false, s.reviewAfter(), null, null, null, null, null, null) : null;
        return new StepDto(s.id(), workflowId, s.stepOrder(), s.agentId(), s.action(), null, null, null, s.requiresConfirmation(), review,
                time(s.createdAt()), time(s.updatedAt()));
    }

    private static StepChange change(StepDto body) {
        List<String> unsupported = new ArrayList<>();
        if (body.routerConfig() != null) {
            unsupported.add("routerConfig");
        }
        if (body.onReject() != null) {
            unsupported.add("onReject");
        }
        if (body.elseStepId() != null) {
            unsupported.add("elseStepId");
        }
        Boolean confirm = body.requiresConfirmation();
        Boolean review = null;
        HumanReviewDto hr = body.humanReview();
        if (hr != null) {
            if (Boolean.TRUE.equals(hr.requiresUserInput())) {
                unsupported.add("humanReview.requiresUserInput");
            }
            for (Map.Entry<String, Object> field : java.util.Arrays.asList(Map.entry("humanReview.onReject", (Object) String.valueOf(hr.onReject())),
                    Map.entry("humanReview.onTimeout", (Object) String.valueOf(hr.onTimeout())),
                    Map.entry("humanReview.onError", (Object) String.valueOf(hr.onError())),
                    Map.entry("humanReview.timeoutSeconds", (Object) String.valueOf(hr.timeoutSeconds())),
                    Map.entry("humanReview.elseStepId", (Object) String.valueOf(hr.elseStepId())))) {
                if (!"null".equals(field.getValue())) {
                    unsupported.add(field.getKey());
                }
            }
            if (hr.approvers() != null && !hr.approvers().isEmpty()) {
                unsupported.add("humanReview.approvers");
            }
            if (hr.requiresConfirmation() != null) {
                confirm = Boolean.TRUE.equals(confirm) || hr.requiresConfirmation();
            }
            review = hr.requiresOutputReview();
        }
        return new StepChange(body.stepOrder(), body.agentId(), body.action(), confirm, review, unsupported);
    }

    private static RunDto run(RunView r) {
        Long duration = r.createdAt() == null || r.updatedAt() == null ? null : Duration.between(r.createdAt(), r.updatedAt()).toMillis();
        return new RunDto(r.id(), r.workflowId(), r.sessionId(), CompatStatus.operativus(r.status()), r.lastStepOrder(), duration,
                time(r.createdAt()), time(r.updatedAt()));
    }

    private static NodeRunDto nodeRun(NodeRun n) {
        return new NodeRunDto(n.id(), n.nodeId(), n.nodeName(), "AGENT", n.success(), n.error(), n.paused(), n.pauseKind(), n.content(),
                null, null, n.startedAt() == null ? null : n.startedAt().toString(), n.endedAt() == null ? null : n.endedAt().toString());
    }

    private static String time(Instant instant) {
        return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC).toString();
    }
}
