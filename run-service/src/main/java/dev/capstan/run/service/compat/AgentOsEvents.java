package dev.capstan.run.service.compat;

import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Capstan run's event log into AgentOS workflow events (agno {@code run/workflow.py}), one stream at a
 * time: every name it emits is one the agno client knows, since the client drops unknown names. Node output and
 * model chunks become {@code RunContent} with the agent base fields, which is what agno clients print.
 */
public final class AgentOsEvents {

    private final String workflowId;
    private final String workflowName;
    private final String sessionId;
    private final String runId;
    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final Set<String> streamed = new HashSet<>();
    private final List<Map<String, Object>> stepResults = new ArrayList<>();
    private Object lastContent;

    public AgentOsEvents(WorkflowDefinition definition, String sessionId, String runId) {
        this.workflowId = definition.id();
        this.workflowName = definition.name();
        this.sessionId = sessionId;
        this.runId = runId;
        int i = 0;
        for (Node node : definition.nodes()) {
            nodes.put(node.id(), node);
            index.put(node.id(), i++);
        }
    }

    /** The AgentOS events for one Capstan event (none for events AgentOS has no name for). */
    public List<Map<String, Object>> map(RunEvent e) {
        String nodeId = e.nodeId();
        Map<String, Object> p = e.payload();
        return switch (e.type()) {
            case EventTypes.RUN_STARTED -> List.of(base("WorkflowStarted", e, null));
            case EventTypes.NODE_STARTED -> List.of(step("StepStarted", e, nodeId));
            case EventTypes.AI_MESSAGE_CHUNK, EventTypes.OUTPUT_CHUNK -> {
                streamed.add(nodeId);
                yield List.of(content(e, nodeId, p.get("chunk")));
            }
            case EventTypes.NODE_COMPLETED -> {
                Object outputs = p.get("outputs");
                Object value = contentValue(outputs);
                lastContent = value;
                Map<String, Object> completed = step("StepCompleted", e, nodeId);
                completed.put("content", value);
                completed.put("content_type", value instanceof String ? "str" : "dict");
                Map<String, Object> result = stepOutput(nodeId, value, true, null);
                completed.put("step_response", result);
                stepResults.add(result);
                List<Map<String, Object>> out = new ArrayList<>();
                if (!streamed.contains(nodeId) && value != null) {
                    out.add(content(e, nodeId, value));
                }
                out.add(completed);
                yield out;
            }
            case EventTypes.NODE_FAILED -> {
                Map<String, Object> error = step("StepError", e, nodeId);
                error.put("error", errorMessage(p));
                stepResults.add(stepOutput(nodeId, null, false, errorMessage(p)));
                yield List.of(error);
            }
            case EventTypes.INTERRUPT_REQUESTED -> {
                Map<String, Object> paused = base("WorkflowPaused", e, nodeId);
                paused.put("paused_step_index", index.get(nodeId));
                paused.put("paused_step_name", name(nodeId));
                paused.put("pause_kind", "step");
                paused.put("step_requirements", List.of(requirement(nodeId, p)));
                yield List.of(paused);
            }
            case EventTypes.RUN_COMPLETED -> {
                Map<String, Object> done = base("WorkflowCompleted", e, null);
                done.put("content", lastContent);
                done.put("content_type", lastContent instanceof String || lastContent == null ? "str" : "dict");
                done.put("step_results", List.copyOf(stepResults));
                yield List.of(done);
            }
            case EventTypes.RUN_FAILED -> {
                Map<String, Object> failed = base("WorkflowError", e, null);
                failed.put("error", errorMessage(p));
                if (p.get("error") instanceof Map<?, ?> error && error.get("code") != null) {
                    failed.put("error_type", String.valueOf(error.get("code")));
                }
                yield List.of(failed);
            }
            case EventTypes.RUN_CANCELLED -> {
                Map<String, Object> cancelled = base("WorkflowCancelled", e, null);
                if (p.get("reason") != null) {
                    cancelled.put("reason", p.get("reason"));
                }
                yield List.of(cancelled);
            }
            default -> List.of();
        };
    }

    /** The content of the last completed step: the run's answer. */
    public Object lastContent() {
        return lastContent;
    }

    public List<Map<String, Object>> stepResults() {
        return List.copyOf(stepResults);
    }

    /** A {@code StepRequirement} for an open approval: confirm (or reject) to continue. */
    private Map<String, Object> requirement(String nodeId, Map<String, Object> payload) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step_id", nodeId);
        r.put("step_name", name(nodeId));
        r.put("step_index", index.get(nodeId));
        r.put("requires_confirmation", true);
        if (payload.get("data") instanceof Map<?, ?> data && data.get("title") != null) {
            r.put("confirmation_message", String.valueOf(data.get("title")));
        }
        r.put("confirmed", null);
        return r;
    }

    private Map<String, Object> content(RunEvent e, String nodeId, Object value) {
        Map<String, Object> c = step("RunContent", e, nodeId);
        Node node = nodes.get(nodeId);
        Object agentId = node == null ? null : node.config().get("agentId");
        c.put("agent_id", agentId == null ? nodeId : String.valueOf(agentId));
        c.put("agent_name", name(nodeId));
        c.put("workflow_run_id", runId);
        c.put("content", value);
        c.put("content_type", value instanceof String || value == null ? "str" : "dict");
        return c;
    }

    private Map<String, Object> step(String event, RunEvent e, String nodeId) {
        Map<String, Object> m = base(event, e, nodeId);
        m.put("step_name", name(nodeId));
        m.put("step_index", index.get(nodeId));
        return m;
    }

    private Map<String, Object> base(String event, RunEvent e, String nodeId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("created_at", e.timestamp().getEpochSecond());
        m.put("event", event);
        m.put("workflow_id", workflowId);
        if (workflowName != null) {
            m.put("workflow_name", workflowName);
        }
        m.put("session_id", sessionId);
        m.put("run_id", runId);
        if (nodeId != null) {
            m.put("step_id", nodeId);
        }
        m.put("nested_depth", 0);
        return m;
    }

    private Map<String, Object> stepOutput(String nodeId, Object content, boolean success, String error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step_name", name(nodeId));
        m.put("step_id", nodeId);
        m.put("step_type", "Step");
        m.put("executor_type", "agent");
        m.put("content", content);
        m.put("success", success);
        if (error != null) {
            m.put("error", error);
        }
        m.put("stop", false);
        return m;
    }

    private String name(String nodeId) {
        Node node = nodes.get(nodeId);
        return node == null ? nodeId : node.name();
    }

    private static Object contentValue(Object outputs) {
        String text = OutputText.text(outputs);
        return text != null ? text : outputs;
    }

    private static String errorMessage(Map<String, Object> payload) {
        if (payload.get("error") instanceof Map<?, ?> error && error.get("message") != null) {
            return String.valueOf(error.get("message"));
        }
        return "failed";
    }
}
