package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.load.OpenWopLoader;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubWorkflowCallTest {

    private static final Map<String, Object> CONFIG = Map.of("workflowId", "child", "onChildFailure", "fail-parent",
            "inputMapping", Map.of("receivedPrdId", "currentPrdId", "missing", "notSet"),
            "outputMapping", Map.of("childOutcome", "childResult"));

    @Test
    void aConfigIsReadWithItsDefaults() {
        SubWorkflowCall call = SubWorkflowCall.of(Map.of("workflowId", "child"));
        assertThat(call.workflowId()).isEqualTo("child");
        assertThat(call.waitForCompletion()).isTrue();
        assertThat(call.propagateCancellation()).isTrue();
        assertThat(call.onChildFailure()).isEqualTo(SubWorkflowCall.FAIL_PARENT);
        assertThat(SubWorkflowCall.of(Map.of("workflowId", "c", "waitForCompletion", false, "onChildFailure", "continue")))
                .satisfies(c -> {
                    assertThat(c.waitForCompletion()).isFalse();
                    assertThat(c.onChildFailure()).isEqualTo(SubWorkflowCall.CONTINUE);
                });
    }

    @Test
    void childInputsAreTheNodeInputsThenTheMappedParentVariablesLeavingOutUnsetOnes() {
        Map<String, Object> parentVariables = new LinkedHashMap<>();
        parentVariables.put("currentPrdId", "prd-1");
        Map<String, Object> inputs = SubWorkflowCall.of(CONFIG).childInputs(Map.of("receivedPrdId", "from-port", "x", 1),
                parentVariables);
        assertThat(inputs).containsExactlyInAnyOrderEntriesOf(Map.of("receivedPrdId", "prd-1", "x", 1));
    }

    @Test
    void aCompletedChildCompletesTheNodeAndMapsItsVariablesBack() {
        SubWorkflowCall.Outcome outcome = SubWorkflowCall.of(CONFIG).outcome("run_c", RunStatus.COMPLETED,
                Map.of("childResult", "child-completed", "other", 2), Map.of("answer", 42), null);
        assertThat(outcome.failed()).isFalse();
        assertThat(outcome.outputs()).containsEntry("childRunId", "run_c").containsEntry("childStatus", "completed")
                .containsEntry("outputs", Map.of("answer", 42L));
        assertThat(outcome.variables()).containsExactlyEntriesOf(Map.of("childOutcome", "child-completed"));
    }

    @Test
    void aFailedChildFailsTheNodeUnlessTheCallContinues() {
        ErrorInfo childError = ErrorInfo.of("http_error", "upstream said 500");
        SubWorkflowCall.Outcome failed = SubWorkflowCall.of(CONFIG).outcome("run_c", RunStatus.FAILED, Map.of(), Map.of(),
                childError);
        assertThat(failed.failed()).isTrue();
        assertThat(failed.error().code()).isEqualTo(SubWorkflowCall.CHILD_RUN_FAILED);
        assertThat(failed.error().message()).contains("run_c", "upstream said 500");
        assertThat(failed.error().details()).containsEntry("childRunId", "run_c");
        assertThat(failed.variables()).isEmpty();

        Map<String, Object> continuing = new LinkedHashMap<>(CONFIG);
        continuing.put("onChildFailure", "continue");
        SubWorkflowCall.Outcome cancelled = SubWorkflowCall.of(continuing).outcome("run_c", RunStatus.CANCELLED, Map.of(),
                Map.of(), null);
        assertThat(cancelled.failed()).isFalse();
        assertThat(cancelled.outputs()).containsEntry("childStatus", "cancelled");
        assertThat(cancelled.outputs().get("error")).isInstanceOfSatisfying(Map.class,
                e -> assertThat(e.get("code")).isEqualTo(SubWorkflowCall.CHILD_RUN_CANCELLED));
    }

    @Test
    void aBadConfigIsRejectedAtLoadWithEveryProblemAndItsPointer() {
        String json = """
                {"id": "p", "name": "P", "version": "1",
                 "nodes": [{"id": "call", "typeId": "core.subWorkflow", "position": {"x": 0, "y": 0},
                            "config": {"onChildFailure": "explode", "waitForCompletion": "yes",
                                       "outputMapping": {"a": 3}}, "inputs": {}}],
                 "edges": [], "triggers": [], "variables": []}
                """;
        LoadResult<WorkflowDefinition> r = new OpenWopLoader(NodeTypeRegistry.acceptAll()).load(json);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).filteredOn(p -> p.code().startsWith("node.subworkflow"))
                .extracting(Problem::code, Problem::pointer).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("node.subworkflow_workflow_id", "/nodes/0/config/workflowId"),
                org.assertj.core.groups.Tuple.tuple("node.subworkflow_on_child_failure", "/nodes/0/config/onChildFailure"),
                org.assertj.core.groups.Tuple.tuple("node.subworkflow_flag", "/nodes/0/config/waitForCompletion"),
                org.assertj.core.groups.Tuple.tuple("node.subworkflow_mapping", "/nodes/0/config/outputMapping/a"));
    }
}
