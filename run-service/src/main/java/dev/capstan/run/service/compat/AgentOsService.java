package dev.capstan.run.service.compat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.run.repository.DefinitionStore;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.repository.RunRow;
import dev.capstan.run.service.DefinitionCache;
import dev.capstan.run.service.JsonCodec;
import dev.capstan.run.service.RunEventBus;
import dev.capstan.run.service.RunService;
import dev.capstan.run.service.WorkflowService;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.WorkflowDefinition;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The AgentOS {@code /workflows} surface on Capstan's engine: any workflow of the tenant runs with the message as
 * input {@code message}; the AgentOS session is a run tag ({@code session:<id>}), so a session's runs are a filtered
 * run list.
 */
@ApplicationScoped
public class AgentOsService {

    private static final int MAX_LIST = 200;
    private static final int MAX_EVENTS = 10_000;

    private final WorkflowService workflows;
    private final DefinitionStore store;
    private final DefinitionCache definitions;
    private final RunService runService;
    private final RunRepository runs;
    private final RunEventBus bus;
    private final JsonCodec json;

    public AgentOsService(WorkflowService workflows, DefinitionStore store, DefinitionCache definitions, RunService runService,
                          RunRepository runs, RunEventBus bus, JsonCodec json) {
        this.workflows = workflows;
        this.store = store;
        this.definitions = definitions;
        this.runService = runService;
        this.runs = runs;
        this.bus = bus;
        this.json = json;
    }

    public record Summary(String id, String name, String description) {
    }

    /** A run being streamed: the row as started or continued, its session, and the sequence to stream after. */
    public record LiveRun(RunRow row, String sessionId, WorkflowDefinition definition, long after) {
    }

    /** At most 200 workflows, by id (AgentOS returns a plain list). */
    public Uni<List<Summary>> list(String tenantId) {
        return workflows.list(tenantId, null, MAX_LIST).map(page -> page.workflows().stream()
                .map(w -> new Summary(w.workflowId(), w.name() == null ? w.workflowId() : w.name(), null)).toList());
    }

    public Uni<WorkflowDefinition> workflow(String tenantId, String workflowId) {
        return store.latest(tenantId, workflowId).flatMap(stored -> {
            if (stored == null) {
                throw CompatException.notFound("Workflow not found");
            }
            return definitions.latest(tenantId, workflowId).map(DefinitionCache.LoadedDefinition::definition);
        });
    }

    public Uni<LiveRun> start(CallerIdentity caller, String workflowId, String message, String sessionId, String userId,
                              Map<String, Object> extra) {
        String session = sessionId == null || sessionId.isBlank() ? UUID.randomUUID().toString() : sessionId;
        return workflow(caller.tenant(), workflowId).flatMap(definition -> {
            Map<String, Object> inputs = new LinkedHashMap<>(extra);
            inputs.put("message", message);
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("sessionId", session);
            metadata.put("input", message);
            if (userId != null) {
                metadata.put("userId", userId);
            }
            return runService.start(caller, workflowId, inputs, null, List.of(OperativusService.SESSION_TAG + session, "compat:agentos"),
                            metadata)
                    .map(row -> new LiveRun(row, session, definition, -1));
        });
    }

    /**
     * Answers the paused run's open approval from the AgentOS step requirements: {@code confirmed: false} or a
     * {@code rejection_feedback} rejects, anything else confirms.
     */
    public Uni<LiveRun> continueRun(CallerIdentity caller, String workflowId, String runId, JsonNode requirements) {
        return owned(caller.tenant(), workflowId, runId, null).flatMap(row -> {
            if (!CompatStatus.waiting(row.status())) {
                throw CompatException.conflict(switch (CompatStatus.agentOs(row.status())) {
                    case "ERROR" -> "Run " + runId + " has errored and cannot be continued";
                    case "CANCELLED" -> "Run " + runId + " is already cancelled";
                    default -> "Run " + runId + " is already running/completed";
                });
            }
            String nodeId = openGate(row);
            boolean reject = false;
            String feedback = null;
            if (requirements != null) {
                for (JsonNode r : requirements) {
                    if (r.path("confirmed").isBoolean() && !r.path("confirmed").asBoolean()) {
                        reject = true;
                    }
                    if (r.hasNonNull("rejection_feedback")) {
                        reject = true;
                        feedback = r.path("rejection_feedback").asText();
                    }
                }
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("action", reject ? "reject" : "accept");
            if (feedback != null) {
                answer.put("comment", feedback);
            }
            String session = sessionOf(row);
            return definitions.version(caller.tenant(), row.workflowId(), row.workflowVersion()).flatMap(definition ->
                    runService.resolveInterrupt(caller.tenant(), runId, nodeId, answer, caller.principal())
                            .onFailure(ApiException.class).transform(e -> CompatException.conflict(e.getMessage()))
                            .map(resolved -> new LiveRun(resolved, session, definition.definition(), row.lastSequence())));
        });
    }

    /** Cancels a run of this workflow; one that already ended stays as it is. */
    public Uni<Void> cancel(CallerIdentity caller, String workflowId, String runId, String reason) {
        return owned(caller.tenant(), workflowId, runId, null).flatMap(row -> CompatStatus.terminal(row.status())
                ? Uni.createFrom().voidItem()
                : runService.cancel(caller.tenant(), runId, reason, caller.principal())
                        .onFailure(e -> e instanceof ApiException api && api.code() == ErrorCode.RUN_TERMINAL).recoverWithNull()
                        .replaceWithVoid());
    }

    /** Cancels a run whose streaming client went away (AgentOS: a disconnect cancels a foreground run). */
    public void cancelQuietly(String tenantId, String runId) {
        runService.cancel(tenantId, runId, "client disconnected", "agentos-stream").subscribe().with(ok -> { }, e -> { });
    }

    /** {@code WorkflowRunOutput.to_dict()} of a run, rebuilt from its event log. */
    public Uni<Map<String, Object>> output(String tenantId, String workflowId, String runId, String sessionId) {
        return owned(tenantId, workflowId, runId, sessionId).flatMap(this::output);
    }

    public Uni<Map<String, Object>> output(RunRow row) {
        return definitions.version(row.tenantId(), row.workflowId(), row.workflowVersion())
                .flatMap(definition -> runs.events(row.runId(), -1, MAX_EVENTS).map(events -> {
                    AgentOsEvents mapper = new AgentOsEvents(definition.definition(), sessionOf(row), row.runId());
                    List<Map<String, Object>> mapped = new ArrayList<>();
                    events.forEach(e -> mapped.addAll(mapper.map(e)));
                    JsonNode snapshot = json.readTree(row.snapshotJson());
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("run_id", row.runId());
                    out.put("session_id", sessionOf(row));
                    out.put("workflow_id", row.workflowId());
                    if (definition.definition().name() != null) {
                        out.put("workflow_name", definition.definition().name());
                    }
                    String input = snapshot.path("metadata").path("input").asText(null);
                    if (input != null) {
                        out.put("input", input);
                    }
                    Object content = mapper.lastContent();
                    if (content != null) {
                        out.put("content", content);
                    }
                    out.put("content_type", content == null || content instanceof String ? "str" : "dict");
                    out.put("status", CompatStatus.agentOs(row.status()));
                    out.put("created_at", row.createdAt().getEpochSecond());
                    List<Map<String, Object>> results = mapper.stepResults();
                    if (!results.isEmpty()) {
                        out.put("step_results", results);
                    }
                    out.put("events", mapped);
                    return out;
                }));
    }

    /** A session's runs of a workflow, newest first (at most 200), optionally of one AgentOS status. */
    public Uni<List<Map<String, Object>>> runs(String tenantId, String workflowId, String sessionId, String status) {
        return runService.list(tenantId, new RunRepository.RunFilter(workflowId, null, OperativusService.SESSION_TAG + sessionId, null, null),
                null, MAX_LIST).flatMap(page -> {
                    List<Uni<Map<String, Object>>> outputs = page.runs().stream()
                            .filter(r -> status == null || CompatStatus.agentOs(r.status()).equalsIgnoreCase(status))
                            .map(r -> output(tenantId, workflowId, r.runId(), sessionId).map(AgentOsService::runSchema)).toList();
                    return outputs.isEmpty() ? Uni.createFrom().item(List.<Map<String, Object>>of()) : Uni.join().all(outputs).andFailFast();
                });
    }

    /** Waits until the run ends or waits for a person (at most {@code timeout}), and returns it. */
    public Uni<RunRow> settled(String tenantId, String runId, Duration timeout) {
        return runs.find(tenantId, runId).flatMap(row -> {
            if (row == null || CompatStatus.terminal(row.status()) || CompatStatus.waiting(row.status())) {
                return Uni.createFrom().item(row);
            }
            Uni<Void> next = Uni.createFrom().emitter(emitter -> {
                AutoCloseable subscription = bus.subscribe(runId, committed -> emitter.complete(null));
                emitter.onTermination(() -> close(subscription));
            });
            return next.ifNoItem().after(Duration.ofSeconds(2)).recoverWithItem((Void) null)
                    .flatMap(ignored -> timeout.isNegative() ? runs.find(tenantId, runId)
                            : settled(tenantId, runId, timeout.minusSeconds(2)));
        });
    }

    public Uni<RunRow> find(String tenantId, String runId) {
        return runs.find(tenantId, runId);
    }

    private static Map<String, Object> runSchema(Map<String, Object> output) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", output.get("run_id"));
        m.put("run_input", output.get("input"));
        m.put("workflow_id", output.get("workflow_id"));
        m.put("content", output.get("content"));
        m.put("status", output.get("status"));
        m.put("step_results", output.getOrDefault("step_results", List.of()));
        m.put("events", output.get("events"));
        m.put("created_at", output.get("created_at"));
        return m;
    }

    private Uni<RunRow> owned(String tenantId, String workflowId, String runId, String sessionId) {
        return runs.find(tenantId, runId).map(row -> {
            if (row == null || !row.workflowId().equals(workflowId) || (sessionId != null && !sessionId.equals(sessionOf(row)))) {
                throw CompatException.notFound("Run not found");
            }
            return row;
        });
    }

    private String sessionOf(RunRow row) {
        JsonNode tags = json.readTree(row.snapshotJson()).path("tags");
        for (JsonNode tag : tags) {
            if (tag.asText().startsWith(OperativusService.SESSION_TAG)) {
                return tag.asText().substring(OperativusService.SESSION_TAG.length());
            }
        }
        return null;
    }

    private String openGate(RunRow row) {
        JsonNode states = json.readTree(row.snapshotJson()).path("nodeStates");
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) states::fields) {
            String status = entry.getValue().path("status").asText();
            if (status.equals("suspended") || status.equals("awaiting-approval")) {
                return entry.getKey();
            }
        }
        throw CompatException.conflict("Run " + row.runId() + " has no open step requirement");
    }

    /** Node names of a definition (for workflow details). */
    public static List<Map<String, Object>> steps(WorkflowDefinition definition) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Node node : definition.nodes()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("step_id", node.id());
            step.put("name", node.name());
            step.put("type", "Step");
            steps.add(step);
        }
        return steps;
    }

    private static void close(AutoCloseable subscription) {
        try {
            subscription.close();
        } catch (Exception ignored) {
            // Unsubscribing cannot fail.
        }
    }
}
