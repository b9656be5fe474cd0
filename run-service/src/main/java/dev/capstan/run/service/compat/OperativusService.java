package dev.capstan.run.service.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.repository.RunRepository.RunDetailRow;
import dev.capstan.run.repository.RunRow;
import dev.capstan.run.service.DefinitionCache;
import dev.capstan.run.service.JsonCodec;
import dev.capstan.run.service.RunService;
import dev.capstan.run.service.WorkflowService;
import dev.capstan.run.service.compat.StepWorkflowStore.StoredStepWorkflow;
import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.WorkflowDefinition;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The Operativus {@code /api/v1/workflows} surface on Capstan's engine: step-list workflows kept in
 * {@code compat_step_workflows} as authored, registered as step-list definitions (one version per edit that leaves
 * at least one step), and run as ordinary Capstan runs tagged with their session.
 */
@ApplicationScoped
public class OperativusService {

    /** Step actions the step-list engine runs as they are meant: an agent step in order. */
    private static final Set<String> RUNNABLE_ACTIONS = Set.of("AGENT", "SEQUENTIAL");
    private static final int MAX_EVENTS = 10_000;
    static final String SESSION_TAG = "session:";

    private final StepWorkflowStore store;
    private final WorkflowService workflows;
    private final RunService runService;
    private final RunRepository runs;
    private final DefinitionCache definitions;
    private final JsonCodec json;
    private final Clock clock = Clock.systemUTC();

    public OperativusService(StepWorkflowStore store, WorkflowService workflows, RunService runService, RunRepository runs,
                             DefinitionCache definitions, JsonCodec json) {
        this.store = store;
        this.workflows = workflows;
        this.runService = runService;
        this.runs = runs;
        this.definitions = definitions;
        this.json = json;
    }

    public record Step(String id, int stepOrder, String agentId, String action, boolean requiresConfirmation, boolean reviewAfter,
                       Instant createdAt, Instant updatedAt) {
    }

    public record StepWorkflow(String id, String name, String description, List<Step> steps, Instant createdAt, Instant updatedAt) {
    }

    public record Page<T>(List<T> content, long totalElements) {
    }

    /** A step as a client sends it; null fields are not set (PATCH keeps the current value). */
    public record StepChange(Integer stepOrder, String agentId, String action, Boolean requiresConfirmation, Boolean reviewAfter,
                             List<String> unsupported) {
    }

    public record RunView(String id, String workflowId, String sessionId, String status, Integer lastStepOrder, Instant createdAt,
                          Instant updatedAt) {
    }

    public record StartedRun(String runId, String workflowId, String sessionId) {
    }

    public record NodeRun(String id, String nodeId, String nodeName, boolean success, String error, boolean paused, String pauseKind,
                          String content, Instant startedAt, Instant endedAt) {
    }

    // ---- workflows ---------------------------------------------------------------------------------------------

    public Uni<StepWorkflow> create(String tenantId, String name, String description) {
        if (name == null || name.isBlank()) {
            throw CompatException.badRequest("A workflow needs a name.");
        }
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        return store.insert(tenantId, id, name, description, "[]", now)
                .replaceWith(() -> new StepWorkflow(id, name, description, List.of(), now, now));
    }

    public Uni<StepWorkflow> get(String tenantId, String workflowId) {
        return owned(tenantId, workflowId).map(this::view);
    }

    public Uni<Page<StepWorkflow>> list(String tenantId, int page, int size) {
        return store.count(tenantId).flatMap(total -> store.page(tenantId, (long) page * size, size)
                .map(rows -> new Page<>(rows.stream().map(this::view).toList(), total)));
    }

    public Uni<StepWorkflow> update(String tenantId, String workflowId, String name, String description) {
        return owned(tenantId, workflowId).flatMap(row -> {
            StepWorkflow current = view(row);
            return save(tenantId, current, name == null ? current.name() : name,
                    description == null ? current.description() : description, current.steps());
        });
    }

    /** Operativus deletes unconditionally: an unknown or foreign id is a silent 204. */
    public Uni<Void> delete(String tenantId, String workflowId) {
        return store.markDeleted(tenantId, workflowId, clock.instant()).flatMap(deleted -> !deleted
                ? Uni.createFrom().voidItem()
                : workflows.delete(tenantId, workflowId).onFailure(ApiException.class).recoverWithNull().replaceWithVoid());
    }

    public Uni<StepWorkflow> cloneOf(String tenantId, String workflowId) {
        return owned(tenantId, workflowId).flatMap(row -> {
            StepWorkflow source = view(row);
            Instant now = clock.instant();
            String id = UUID.randomUUID().toString();
            List<Step> steps = source.steps().stream().map(s -> new Step(UUID.randomUUID().toString(), s.stepOrder(), s.agentId(),
                    s.action(), s.requiresConfirmation(), s.reviewAfter(), now, now)).toList();
            String name = (source.name() == null ? "" : source.name()) + " (Copy)";
            StepWorkflow copy = new StepWorkflow(id, name, source.description(), steps, now, now);
            return register(tenantId, copy).chain(() -> store.insert(tenantId, id, name, source.description(), stepsJson(steps), now))
                    .replaceWith(copy);
        });
    }

    // ---- steps -------------------------------------------------------------------------------------------------

    public Uni<List<Step>> steps(String tenantId, String workflowId) {
        return owned(tenantId, workflowId).map(row -> view(row).steps());
    }

    public Uni<Step> addStep(String tenantId, String workflowId, StepChange change) {
        refuseUnsupported(change);
        if (change.agentId() == null || change.agentId().isBlank()) {
            throw CompatException.badRequest("A step needs an agentId.");
        }
        return owned(tenantId, workflowId).flatMap(row -> {
            StepWorkflow current = view(row);
            Instant now = clock.instant();
            int order = change.stepOrder() != null ? change.stepOrder()
                    : current.steps().stream().mapToInt(Step::stepOrder).max().orElse(0) + 1;
            Step step = new Step(UUID.randomUUID().toString(), order, change.agentId(), action(change.action()),
                    Boolean.TRUE.equals(change.requiresConfirmation()), Boolean.TRUE.equals(change.reviewAfter()), now, now);
            List<Step> steps = new ArrayList<>(current.steps());
            steps.add(step);
            return save(tenantId, current, current.name(), current.description(), steps).replaceWith(step);
        });
    }

    public Uni<Step> updateStep(String tenantId, String workflowId, String stepId, StepChange change) {
        refuseUnsupported(change);
        return owned(tenantId, workflowId).flatMap(row -> {
            StepWorkflow current = view(row);
            Step existing = current.steps().stream().filter(s -> s.id().equals(stepId)).findFirst()
                    .orElseThrow(() -> CompatException.notFound("Step " + stepId + " not found in workflow " + workflowId + "."));
            if (change.action() != null && !action(change.action()).equals(existing.action())) {
                throw CompatException.badRequest("A step's action cannot be changed.");
            }
            Step updated = new Step(stepId, change.stepOrder() == null ? existing.stepOrder() : change.stepOrder(),
                    change.agentId() == null ? existing.agentId() : change.agentId(), existing.action(),
                    change.requiresConfirmation() == null ? existing.requiresConfirmation() : change.requiresConfirmation(),
                    change.reviewAfter() == null ? existing.reviewAfter() : change.reviewAfter(), existing.createdAt(), clock.instant());
            List<Step> steps = current.steps().stream().map(s -> s.id().equals(stepId) ? updated : s).toList();
            return save(tenantId, current, current.name(), current.description(), steps).replaceWith(updated);
        });
    }

    /** 204 whether or not the step existed, as Operativus does; the workflow itself must be the caller's. */
    public Uni<Void> deleteStep(String tenantId, String workflowId, String stepId) {
        return owned(tenantId, workflowId).flatMap(row -> {
            StepWorkflow current = view(row);
            List<Step> steps = current.steps().stream().filter(s -> !s.id().equals(stepId)).toList();
            if (steps.size() == current.steps().size()) {
                return Uni.createFrom().voidItem();
            }
            return save(tenantId, current, current.name(), current.description(), steps).replaceWithVoid();
        });
    }

    // ---- runs --------------------------------------------------------------------------------------------------

    public Uni<StartedRun> start(CallerIdentity caller, String workflowId, String input, String sessionId) {
        return owned(caller.tenant(), workflowId).flatMap(row -> {
            if (view(row).steps().isEmpty()) {
                throw CompatException.badRequest("Workflow has no steps to execute. Add at least one step before running.");
            }
            String session = sessionId == null || sessionId.isBlank() ? UUID.randomUUID().toString() : sessionId;
            Map<String, Object> inputs = Map.of("input", input == null ? "" : input);
            return runService.start(caller, workflowId, inputs, null, List.of(SESSION_TAG + session, "compat:operativus"),
                            Map.of("sessionId", session))
                    .map(run -> new StartedRun(run.runId(), workflowId, session));
        });
    }

    /** A workflow's runs, newest first; an unknown or foreign workflow has none (Operativus: 200, empty page). */
    public Uni<Page<RunView>> runs(String tenantId, String workflowId, int page, int size) {
        return runs.countOfWorkflow(tenantId, workflowId).flatMap(total -> runs.pageOfWorkflow(tenantId, workflowId, (long) page * size, size)
                .flatMap(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().item(new Page<RunView>(List.of(), total));
                    }
                    List<Uni<RunView>> views = rows.stream().map(r -> runView(tenantId, r)).toList();
                    return Uni.join().all(views).andFailFast().map(list -> new Page<>(list, total));
                }));
    }

    /** Answers the run's open confirmation or review gate with an approval carrying the reviewer's output. */
    public Uni<String> resume(CallerIdentity caller, String runId, String output) {
        return ownedRun(caller.tenant(), runId).flatMap(row -> {
            String nodeId = openGate(row);
            if (nodeId == null) {
                throw CompatException.conflict("Run " + runId + " is not waiting for a human review (status "
                        + CompatStatus.operativus(row.status()) + ").");
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("action", "accept");
            answer.put("output", output == null ? "" : output);
            return runService.resolveInterrupt(caller.tenant(), runId, nodeId, answer, caller.principal())
                    .onFailure(ApiException.class).transform(e -> CompatException.conflict(e.getMessage()))
                    .replaceWith(UUID.randomUUID().toString());
        });
    }

    /** Cancels; a run that already ended is left as it is (idempotent). */
    public Uni<Void> cancel(CallerIdentity caller, String runId, String reason) {
        return ownedRun(caller.tenant(), runId).flatMap(row -> CompatStatus.terminal(row.status())
                ? Uni.createFrom().voidItem()
                : runService.cancel(caller.tenant(), runId, reason, caller.principal())
                        .onFailure(e -> e instanceof ApiException api && api.code() == ErrorCode.RUN_TERMINAL).recoverWithNull()
                        .replaceWithVoid());
    }

    /** The per-node trace of a run, oldest first, folded from its event log. */
    public Uni<List<NodeRun>> nodeRuns(String tenantId, String runId) {
        return ownedRun(tenantId, runId).flatMap(row -> definitions.version(tenantId, row.workflowId(), row.workflowVersion())
                .flatMap(definition -> runs.events(runId, -1, MAX_EVENTS).map(events -> trace(definition.definition(), events))));
    }

    /** The run's status as Operativus names it (for route-options). */
    public Uni<String> status(String tenantId, String runId) {
        return ownedRun(tenantId, runId).map(RunRow::status);
    }

    // ---- mapping -----------------------------------------------------------------------------------------------

    private List<NodeRun> trace(WorkflowDefinition definition, List<RunEvent> events) {
        Map<String, String> names = new HashMap<>();
        for (Node node : definition.nodes()) {
            names.put(node.id(), node.name());
        }
        Map<String, NodeRun> byVisit = new LinkedHashMap<>();
        Map<String, String> currentVisit = new HashMap<>();
        for (RunEvent e : events) {
            String nodeId = e.nodeId();
            if (nodeId == null) {
                continue;
            }
            switch (e.type()) {
                case EventTypes.NODE_STARTED, EventTypes.NODE_SUSPENDED -> {
                    String visit = currentVisit.get(nodeId);
                    NodeRun open = visit == null ? null : byVisit.get(visit);
                    if (open == null || open.endedAt() != null) {
                        visit = nodeId + "#" + e.sequence();
                        currentVisit.put(nodeId, visit);
                        open = new NodeRun(visit, nodeId, names.getOrDefault(nodeId, nodeId), false, null, false, null, null,
                                e.timestamp(), null);
                    }
                    if (e.type().equals(EventTypes.NODE_SUSPENDED)) {
                        open = new NodeRun(open.id(), nodeId, open.nodeName(), false, null, true, "human_review", null,
                                open.startedAt(), null);
                    }
                    byVisit.put(visit, open);
                }
                case EventTypes.NODE_COMPLETED, EventTypes.NODE_FAILED, EventTypes.NODE_CANCELLED, EventTypes.NODE_SKIPPED -> {
                    String visit = currentVisit.get(nodeId);
                    NodeRun open = visit == null ? null : byVisit.get(visit);
                    if (open == null) {
                        visit = nodeId + "#" + e.sequence();
                        open = new NodeRun(visit, nodeId, names.getOrDefault(nodeId, nodeId), false, null, false, null, null,
                                e.timestamp(), null);
                    }
                    boolean ok = e.type().equals(EventTypes.NODE_COMPLETED);
                    String error = ok ? null : errorText(e);
                    String content = ok ? OutputText.of(e.payload().get("outputs")) : null;
                    byVisit.put(visit, new NodeRun(open.id(), nodeId, open.nodeName(), ok, error, open.paused(), open.pauseKind(),
                            content, open.startedAt(), e.timestamp()));
                }
                default -> {
                }
            }
        }
        return List.copyOf(byVisit.values());
    }

    private static String errorText(RunEvent e) {
        Object error = e.payload().get("error");
        if (error instanceof Map<?, ?> map && map.get("message") != null) {
            return String.valueOf(map.get("message"));
        }
        return e.type().equals(EventTypes.NODE_FAILED) ? "failed" : e.type().substring("node.".length());
    }

    private Uni<RunView> runView(String tenantId, RunDetailRow row) {
        String session = row.tags().stream().filter(t -> t.startsWith(SESSION_TAG)).map(t -> t.substring(SESSION_TAG.length()))
                .findFirst().orElse(null);
        return definitions.version(tenantId, row.workflowId(), row.workflowVersion())
                .map(definition -> new RunView(row.runId(), row.workflowId(), session, row.status(),
                        lastStepOrder(definition.definition(), row.snapshotJson()), row.createdAt(), row.updatedAt()));
    }

    /** The highest stepOrder the run has reached (a review gate counts as its step's order). */
    private Integer lastStepOrder(WorkflowDefinition definition, String snapshotJson) {
        Map<String, Integer> orders = new HashMap<>();
        for (Node node : definition.nodes()) {
            if (node.config().get("stepOrder") instanceof Number n) {
                orders.put(node.id(), n.intValue());
            }
        }
        JsonNode states = json.readTree(snapshotJson).path("nodeStates");
        Integer last = null;
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) states::fields) {
            if (entry.getValue().path("status").asText("idle").equals("idle")) {
                continue;
            }
            String id = entry.getKey().endsWith(".review") ? entry.getKey().substring(0, entry.getKey().length() - ".review".length())
                    : entry.getKey();
            Integer order = orders.get(id);
            if (order != null && (last == null || order > last)) {
                last = order;
            }
        }
        return last;
    }

    /** The node whose approval the run waits for: a review gate, or a step waiting for confirmation before it runs. */
    private String openGate(RunRow row) {
        JsonNode states = json.readTree(row.snapshotJson()).path("nodeStates");
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) states::fields) {
            String status = entry.getValue().path("status").asText();
            if (status.equals("suspended") || status.equals("awaiting-approval")) {
                return entry.getKey();
            }
        }
        return null;
    }

    private Uni<StepWorkflow> save(String tenantId, StepWorkflow current, String name, String description, List<Step> steps) {
        Instant now = clock.instant();
        StepWorkflow next = new StepWorkflow(current.id(), name, description, sorted(steps), current.createdAt(), now);
        Uni<Void> definition = steps.isEmpty()
                ? workflows.delete(tenantId, current.id()).onFailure(ApiException.class).recoverWithNull().replaceWithVoid()
                : register(tenantId, next);
        // The definition goes first: if the authoring row then fails to update, the next edit registers again.
        return definition.chain(() -> store.update(tenantId, current.id(), name, description, stepsJson(next.steps()), now))
                .map(updated -> {
                    if (!updated) {
                        throw CompatException.notFound("Workflow " + current.id() + " not found.");
                    }
                    return next;
                });
    }

    private Uni<Void> register(String tenantId, StepWorkflow workflow) {
        ObjectNode definition = JsonNodeFactory.instance.objectNode();
        definition.put("id", workflow.id());
        if (workflow.name() != null) {
            definition.put("name", workflow.name());
        }
        if (workflow.description() != null) {
            definition.put("description", workflow.description());
        }
        ArrayNode steps = definition.putArray("steps");
        for (Step s : workflow.steps()) {
            ObjectNode step = steps.addObject();
            step.put("id", s.id());
            step.put("stepOrder", s.stepOrder());
            step.put("agentId", s.agentId());
            step.put("action", s.action());
            step.put("requiresConfirmation", s.requiresConfirmation());
            step.put("humanReview", s.reviewAfter());
        }
        return Uni.createFrom().deferred(() -> workflows.registerStepList(tenantId, definition))
                .onFailure(ApiException.class).transform(e -> CompatException.badRequest(describe((ApiException) e)))
                .replaceWithVoid();
    }

    private static String describe(ApiException e) {
        Object problems = e.details().get("problems");
        return problems == null ? e.getMessage() : e.getMessage() + " " + problems;
    }

    private Uni<StoredStepWorkflow> owned(String tenantId, String workflowId) {
        return store.find(tenantId, workflowId).map(row -> {
            if (row == null) {
                throw CompatException.notFound("Workflow " + workflowId + " not found.");
            }
            return row;
        });
    }

    private Uni<RunRow> ownedRun(String tenantId, String runId) {
        return runs.find(tenantId, runId).map(row -> {
            if (row == null) {
                throw CompatException.notFound("Workflow run " + runId + " not found.");
            }
            return row;
        });
    }

    private StepWorkflow view(StoredStepWorkflow row) {
        List<Step> steps = new ArrayList<>();
        for (JsonNode s : json.readTree(row.stepsJson())) {
            steps.add(new Step(s.path("id").asText(), s.path("stepOrder").asInt(), s.path("agentId").asText(null),
                    s.path("action").asText("AGENT"), s.path("requiresConfirmation").asBoolean(false),
                    s.path("humanReview").asBoolean(false), Instant.parse(s.path("createdAt").asText()),
                    Instant.parse(s.path("updatedAt").asText())));
        }
        return new StepWorkflow(row.workflowId(), row.name(), row.description(), sorted(steps), row.createdAt(), row.updatedAt());
    }

    private String stepsJson(List<Step> steps) {
        List<Map<String, Object>> stored = new ArrayList<>();
        for (Step s : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("stepOrder", s.stepOrder());
            m.put("agentId", s.agentId());
            m.put("action", s.action());
            m.put("requiresConfirmation", s.requiresConfirmation());
            m.put("humanReview", s.reviewAfter());
            m.put("createdAt", s.createdAt().toString());
            m.put("updatedAt", s.updatedAt().toString());
            stored.add(m);
        }
        return json.write(stored);
    }

    private static List<Step> sorted(List<Step> steps) {
        return steps.stream().sorted(Comparator.comparingInt(Step::stepOrder).thenComparing(Step::createdAt)).toList();
    }

    private static String action(String action) {
        return action == null ? "AGENT" : action.toUpperCase(java.util.Locale.ROOT);
    }

    private static void refuseUnsupported(StepChange change) {
        if (!change.unsupported().isEmpty()) {
            throw CompatException.badRequest("Capstan runs steps strictly in stepOrder and does not act on "
                    + String.join(", ", change.unsupported()) + "; remove them from the step.");
        }
        if (change.action() != null && !RUNNABLE_ACTIONS.contains(action(change.action()))) {
            throw CompatException.badRequest("Step action " + change.action() + " is not supported: Capstan runs AGENT steps in "
                    + "stepOrder (no CONDITION, ROUTER, LOOP, PARALLEL, JOIN, WEBHOOK, FUNCTION or WORKFLOW steps).");
        }
        if (change.stepOrder() != null && change.stepOrder() < 0) {
            throw CompatException.badRequest("stepOrder must not be negative.");
        }
    }
}
