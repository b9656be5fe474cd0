package dev.capstan.run.service;

import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.run.messaging.ChildRunMessage;
import dev.capstan.workflow.engine.Command;
import dev.capstan.workflow.engine.SubWorkflowCall;
import dev.capstan.workflow.state.RunState;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The run-service side of {@code core.subWorkflow}: run-service is the "executor" of that node type. The parent's
 * dispatch becomes a {@link ChildRunMessage} (start), the child run carries a {@code parent} link in its run info,
 * and the child's terminal step writes the parent node's result to the node-results topic in the same statement, so
 * the parent resumes exactly as after any other node. What the child's end means is decided by
 * {@link SubWorkflowCall} in workflow-core.
 */
final class ChildRuns {

    static final String PARENT = "parent";

    private ChildRuns() {
    }

    /** The child run of a parent attempt: derived from the attempt's invocation id, so starting it twice finds it. */
    static String childRunId(String invocationId) {
        return "run_" + UUID.nameUUIDFromBytes(("subworkflow:" + invocationId).getBytes(StandardCharsets.UTF_8))
                .toString().replace("-", "");
    }

    /** The start message for a dispatched sub-workflow node; inputMapping reads the parent's variables now. */
    static ChildRunMessage start(String tenantId, Map<String, Object> parentRunInfo, RunState parent,
                                 Command.DispatchNode dispatch) {
        SubWorkflowCall call = SubWorkflowCall.of(dispatch.config());
        Map<String, Object> inherited = new LinkedHashMap<>();
        for (String key : List.of("configurable", "executorOptions")) {
            if (parentRunInfo.get(key) != null) {
                inherited.put(key, parentRunInfo.get(key));
            }
        }
        return new ChildRunMessage(ChildRunMessage.VERSION, ChildRunMessage.START, tenantId, dispatch.runId(),
                dispatch.nodeId(), dispatch.attempt(), dispatch.idempotencyKey(), childRunId(dispatch.idempotencyKey()),
                dispatch.config(), call.childInputs(dispatch.inputs(), parent.variables()), depth(parentRunInfo) + 1,
                inherited);
    }

    /** The cancel message for a cancelled sub-workflow attempt whose call propagates cancellation, else null. */
    static ChildRunMessage cancel(String tenantId, Command.CancelNode cancel, Map<String, Object> nodeConfig) {
        if (!SubWorkflowCall.of(nodeConfig).propagateCancellation()) {
            return null;
        }
        String invocationId = Command.DispatchNode.idempotencyKey(cancel.runId(), cancel.nodeId(), cancel.attempt());
        return new ChildRunMessage(ChildRunMessage.VERSION, ChildRunMessage.CANCEL, tenantId, cancel.runId(),
                cancel.nodeId(), cancel.attempt(), invocationId, childRunId(invocationId), nodeConfig, Map.of(), 0, Map.of());
    }

    /** The run info of the child a start message makes: the inherited options plus the link to its parent. */
    static Map<String, Object> childRunInfo(ChildRunMessage start) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("configurable", start.runInfo().getOrDefault("configurable", Map.of()));
        info.put("tags", List.of());
        info.put("metadata", Map.of());
        info.put("executorOptions", start.runInfo().getOrDefault("executorOptions", Map.of()));
        Map<String, Object> parent = new LinkedHashMap<>();
        parent.put("runId", start.parentRunId());
        parent.put("nodeId", start.parentNodeId());
        parent.put("attempt", start.attempt());
        parent.put("invocationId", start.invocationId());
        parent.put("depth", start.depth());
        parent.put("call", start.call());
        info.put(PARENT, parent);
        return info;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parentLink(Map<String, Object> runInfo) {
        return runInfo.get(PARENT) instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    static int depth(Map<String, Object> runInfo) {
        Map<String, Object> parent = parentLink(runInfo);
        return parent != null && parent.get("depth") instanceof Number n ? n.intValue() : 0;
    }

    /**
     * The parent node's result when this child has just ended, or null when the run is no waited-for child. Its
     * spend is reported as the parent node's, so the parent's budget counts its children.
     */
    @SuppressWarnings("unchecked")
    static NodeResultMessage parentResult(String tenantId, Map<String, Object> runInfo, RunState child, long nowMs) {
        Map<String, Object> parent = parentLink(runInfo);
        if (parent == null) {
            return null;
        }
        SubWorkflowCall call = SubWorkflowCall.of((Map<String, Object>) parent.getOrDefault("call", Map.of()));
        if (!call.waitForCompletion()) {
            return null;
        }
        SubWorkflowCall.Outcome outcome = call.outcome(child.runId(), child.status(), child.variables(), child.outputs(),
                child.error());
        return result(tenantId, parent, outcome, Map.of("usd", child.cost().usd(), "inputTokens",
                child.cost().inputTokens(), "outputTokens", child.cost().outputTokens()),
                child.startedAt() == null ? 0 : Math.max(0, nowMs - child.startedAt().toEpochMilli()), nowMs);
    }

    static NodeResultMessage result(String tenantId, Map<String, Object> parent, SubWorkflowCall.Outcome outcome,
                                    Map<String, Object> cost, long durationMs, long nowMs) {
        return new NodeResultMessage(NodeResultMessage.VERSION, tenantId, String.valueOf(parent.get("runId")),
                String.valueOf(parent.get("nodeId")), ((Number) parent.get("attempt")).intValue(),
                String.valueOf(parent.get("invocationId")),
                outcome.failed() ? NodeResultMessage.FAILED : NodeResultMessage.COMPLETED,
                outcome.failed() ? null : outcome.outputs(), outcome.failed() ? outcome.error().toMap() : null,
                durationMs, cost, null, null, null, nowMs, outcome.failed() ? null : outcome.variables());
    }
}
