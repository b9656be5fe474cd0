package dev.capstan.workflow.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.WorkflowDefinition;
import org.junit.jupiter.api.Test;

class StepListLoaderTest {

    private final StepListLoader loader = new StepListLoader();

    @Test
    void stepsRunInStepOrderWithConfirmationAndReviewGates() {
        String json = """
                {"id": "wf-1", "name": "Onboard", "steps": [
                  {"stepOrder": 2, "agentId": "writer", "action": "draft", "humanReview": true},
                  {"stepOrder": 1, "agentId": "researcher", "action": "research", "requiresConfirmation": true}
                ]}
                """;
        WorkflowDefinition def = loader.load(json).orThrow();
        assertThat(def.graph().topologicalOrder()).containsExactly("step-1", "step-2", "step-2.review");
        Node first = def.node("step-1");
        assertThat(first.needsApprovalBeforeDispatch()).isTrue();
        assertThat(first.config()).containsEntry("agentId", "researcher");
        assertThat(def.node("step-2.review").kind()).isEqualTo(NodeKind.INTERRUPT);
    }

    @Test
    void missingAgentAndDuplicateOrderAreAllReportedWithPointers() {
        String json = """
                {"id": "wf-1", "steps": [
                  {"stepOrder": 1, "agentId": "a"},
                  {"stepOrder": 1, "agentId": "b"},
                  {"stepOrder": 3}
                ]}
                """;
        LoadResult<WorkflowDefinition> r = loader.load(json);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.pointer()).isEqualTo("/steps/2");
            assertThat(p.message()).contains("agentId");
        });
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo("steps.duplicate_order");
            assertThat(p.pointer()).isEqualTo("/steps/1/stepOrder");
            assertThat(p.line()).isEqualTo(3);
        });
    }

    @org.junit.jupiter.api.Test
    void routingFieldsTheEngineDoesNotActOnLoadWithAWarningAtTheirPath() {
        var r = new StepListLoader().load("""
                {"id": "w", "name": "w", "steps": [
                  {"stepOrder": 1, "agentId": "a", "action": "draft", "onReject": "retry"},
                  {"stepOrder": 2, "agentId": "b", "action": "send", "routerConfig": {}, "elseStepId": null}
                ]}""");
        assertThat(r.isLoaded()).isTrue();
        assertThat(r.warnings()).extracting(p -> p.code() + " " + p.pointer())
                .containsExactly("steps.ignored_field /steps/0/onReject");
    }
}
