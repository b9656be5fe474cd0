package dev.capstan.workflow.engine;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code core.subWorkflow} node's call: which workflow runs as the child, what it is seeded with, and how its end
 * becomes the node's outcome. The engine dispatches the node like any task (so retries, timeouts, fallbacks and
 * cancellation apply unchanged); the host starts the child run for the dispatch and reports the child's end as the
 * node's result, using {@link #childInputs} and {@link #outcome} so every host decides the same way.
 *
 * <p>Both mappings read "destination ← source": {@code inputMapping} is child variable → parent variable, taken once
 * at dispatch (later changes to the parent do not reach the child); {@code outputMapping} is parent variable → child
 * variable, applied when the child ends.
 *
 * @param onChildFailure {@code fail-parent} (default: the node fails, so its retry policy and fallback edges apply) or
 *                       {@code continue} (the node completes with the child's status and error as outputs)
 */
public record SubWorkflowCall(String workflowId, boolean waitForCompletion, String onChildFailure,
                              boolean propagateCancellation, Map<String, String> inputMapping,
                              Map<String, String> outputMapping) {

    public static final String TYPE_ID = "core.subWorkflow";
    public static final String FAIL_PARENT = "fail-parent";
    public static final String CONTINUE = "continue";
    public static final String CHILD_RUN_FAILED = "child_run_failed";
    public static final String CHILD_RUN_CANCELLED = "child_run_cancelled";
    public static final String CHILD_WORKFLOW_NOT_FOUND = "child_workflow_not_found";
    public static final String SUBWORKFLOW_DEPTH_EXCEEDED = "subworkflow_depth_exceeded";

    public SubWorkflowCall {
        inputMapping = Map.copyOf(inputMapping);
        outputMapping = Map.copyOf(outputMapping);
    }

    public static boolean isSubWorkflow(String typeId) {
        return TYPE_ID.equals(typeId);
    }

    /** The call a node's config describes; {@link #problems} says what is wrong with a config this accepts leniently. */
    public static SubWorkflowCall of(Map<String, Object> config) {
        Object onFailure = config.get("onChildFailure");
        return new SubWorkflowCall(config.get("workflowId") instanceof String s ? s : null,
                !Boolean.FALSE.equals(config.get("waitForCompletion")),
                CONTINUE.equals(onFailure) ? CONTINUE : FAIL_PARENT,
                !Boolean.FALSE.equals(config.get("propagateCancellation")),
                stringMap(config.get("inputMapping")), stringMap(config.get("outputMapping")));
    }

    /** Every problem of a node's config, with JSON pointers under {@code configPointer}. */
    public static List<Problem> problems(Map<String, Object> config, String nodeId, String configPointer) {
        List<Problem> problems = new ArrayList<>();
        if (!(config.get("workflowId") instanceof String s) || s.isBlank()) {
            problems.add(Problem.error("node.subworkflow_workflow_id", configPointer + "/workflowId", "Sub-workflow node '"
                    + nodeId + "' needs config.workflowId: the id of the workflow to run as its child."));
        }
        Object onFailure = config.get("onChildFailure");
        if (onFailure != null && !FAIL_PARENT.equals(onFailure) && !CONTINUE.equals(onFailure)) {
            problems.add(Problem.error("node.subworkflow_on_child_failure", configPointer + "/onChildFailure",
                    "Sub-workflow node '" + nodeId + "' has onChildFailure '" + onFailure + "'; it must be 'fail-parent' or 'continue'."));
        }
        for (String flag : List.of("waitForCompletion", "propagateCancellation")) {
            if (config.containsKey(flag) && !(config.get(flag) instanceof Boolean)) {
                problems.add(Problem.error("node.subworkflow_flag", configPointer + "/" + flag, "Sub-workflow node '"
                        + nodeId + "' has a " + flag + " that is not true or false."));
            }
        }
        for (String mapping : List.of("inputMapping", "outputMapping")) {
            Object m = config.get(mapping);
            if (m == null) {
                continue;
            }
            if (!(m instanceof Map<?, ?> map)) {
                problems.add(Problem.error("node.subworkflow_mapping", configPointer + "/" + mapping, "Sub-workflow node '"
                        + nodeId + "' has a " + mapping + " that is not an object of variable names."));
                continue;
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getValue() instanceof String)) {
                    problems.add(Problem.error("node.subworkflow_mapping", configPointer + "/" + mapping + "/" + e.getKey(),
                            "Sub-workflow node '" + nodeId + "' maps '" + e.getKey() + "' to something that is not a variable name."));
                }
            }
        }
        return problems;
    }

    /**
     * The child run's start inputs: the node's resolved inputs, then {@code inputMapping} projected from the parent's
     * variables at dispatch time (a mapped parent variable that is unset is left out, so it does not pass a null).
     */
    public Map<String, Object> childInputs(Map<String, Object> nodeInputs, Map<String, Object> parentVariables) {
        Map<String, Object> inputs = new LinkedHashMap<>(nodeInputs);
        for (Map.Entry<String, String> m : inputMapping.entrySet()) {
            if (parentVariables.containsKey(m.getValue())) {
                inputs.put(m.getKey(), parentVariables.get(m.getValue()));
            }
        }
        return inputs;
    }

    /**
     * What the child's end means for the node. A completed child completes the node with outputs
     * {@code {childRunId, childStatus, outputs}} and the {@code outputMapping} variable updates; a failed or cancelled
     * child fails the node ({@code fail-parent}) or completes it with the child's status and error ({@code continue}).
     */
    public Outcome outcome(String childRunId, RunStatus childStatus, Map<String, Object> childVariables,
                           Map<String, Object> childOutputs, ErrorInfo childError) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("childRunId", childRunId);
        outputs.put("childStatus", childStatus.wireName());
        outputs.put("outputs", childOutputs == null ? Map.of() : childOutputs);
        if (childStatus == RunStatus.COMPLETED) {
            Map<String, Object> variables = new LinkedHashMap<>();
            for (Map.Entry<String, String> m : outputMapping.entrySet()) {
                if (childVariables.containsKey(m.getValue())) {
                    variables.put(m.getKey(), childVariables.get(m.getValue()));
                }
            }
            return new Outcome(Values.freezeMap(outputs), Values.freezeMap(variables), null);
        }
        boolean cancelled = childStatus == RunStatus.CANCELLED;
        ErrorInfo error = new ErrorInfo(cancelled ? CHILD_RUN_CANCELLED : CHILD_RUN_FAILED,
                "Child run " + childRunId + " of workflow '" + workflowId + "' ended " + childStatus.wireName()
                        + (childError == null ? "." : ": " + childError.message()),
                childError == null ? Map.of("childRunId", childRunId)
                        : Map.of("childRunId", childRunId, "childError", childError.toMap()), false);
        if (CONTINUE.equals(onChildFailure)) {
            outputs.put("error", error.toMap());
            return new Outcome(Values.freezeMap(outputs), Map.of(), null);
        }
        return new Outcome(Values.freezeMap(outputs), Map.of(), error);
    }

    /** The node's result when the child was started without waiting for it. */
    public Outcome started(String childRunId) {
        return new Outcome(Map.of("childRunId", childRunId, "childStatus", RunStatus.RUNNING.wireName()), Map.of(), null);
    }

    /** The node's result: completed with {@code outputs} and {@code variables}, or failed with {@code error}. */
    public record Outcome(Map<String, Object> outputs, Map<String, Object> variables, ErrorInfo error) {
        public boolean failed() {
            return error != null;
        }
    }

    private static Map<String, String> stringMap(Object o) {
        Map<String, String> out = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getValue() instanceof String v) {
                    out.put(String.valueOf(e.getKey()), v);
                }
            }
        }
        return out;
    }
}
