package dev.capstan.workflow.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.engine.Command;
import dev.capstan.workflow.engine.Decision;
import dev.capstan.workflow.engine.Engine;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
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

    @Test
    void eachStepReceivesTheRunInputsAndThePreviousStepsContent() {
        WorkflowDefinition def = loader.load("""
                {"id": "wf-1", "name": "Chain", "steps": [
                  {"stepOrder": 1, "agentId": "researcher", "action": "AGENT", "humanReview": true},
                  {"stepOrder": 2, "agentId": "writer", "action": "AGENT"}
                ]}""").orThrow();
        java.util.concurrent.atomic.AtomicInteger ids = new java.util.concurrent.atomic.AtomicInteger();
        Engine engine = new Engine(java.time.Clock.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC),
                () -> "id-" + ids.incrementAndGet());
        Decision started = engine.decide(def, RunState.initial("run-1", "wf-1"),
                new RunInput.Start(java.util.Map.of("input", "Peru"), RunOptions.fromMap(java.util.Map.of())));
        Command.DispatchNode first = dispatchOf(started);
        assertThat(first.nodeId()).isEqualTo("step-1");
        assertThat(first.inputs()).isEqualTo(java.util.Map.of("input", java.util.Map.of("input", "Peru")));

        Decision reviewed = engine.decide(def, started.state(), new RunInput.NodeCompleted("step-1", first.attempt(),
                java.util.Map.of("content", "Lima is the capital.")));
        Decision accepted = engine.decide(def, reviewed.state(), new RunInput.InterruptResolved("step-1.review",
                java.util.Map.of("action", "accept"), "reviewer"));
        Command.DispatchNode second = dispatchOf(accepted);
        assertThat(second.nodeId()).isEqualTo("step-2");
        assertThat(second.inputs()).containsEntry("previous", "Lima is the capital.")
                .containsEntry("input", java.util.Map.of("input", "Peru"));
    }

    private static Command.DispatchNode dispatchOf(Decision d) {
        assertThat(d.rejected()).as("rejection %s", d.rejection()).isFalse();
        return d.commands().stream().filter(c -> c instanceof Command.DispatchNode).map(c -> (Command.DispatchNode) c)
                .findFirst().orElseThrow(() -> new AssertionError("no dispatch in " + d.commands()));
    }
}
