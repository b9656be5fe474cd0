package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.RunStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequentialAndConditionalTest {

    @Test
    void sequentialNodesAreDispatchedOneAfterAnotherAndTheSinkOutputsBecomeRunOutputs() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-multi-node.json"));
        run.start(Map.of());
        assertThat(run.dispatchedLast()).containsExactly("a");
        run.complete("a", Map.of("n", 1));
        assertThat(run.dispatchedLast()).containsExactly("b");
        run.complete("b", Map.of("n", 2));
        assertThat(run.dispatchedLast()).containsExactly("c");
        run.complete("c", Map.of("n", 3));
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.state.outputs()).isEqualTo(Map.of("c", Map.of("n", 3L)));
        assertThat(run.last.commands()).anySatisfy(c -> assertThat(c).isInstanceOf(Command.CompleteRun.class));
    }

    @Test
    void aHighRiskScoreRoutesOnlyToTheApprovalBranchOfTheSeedWorkflow() {
        RunDriver run = new RunDriver(Defs.osopExample("run-api-workflow.osop.yaml"));
        run.start(Map.of());
        run.send(new RunInput.InterruptResolved("select_workflow", Map.of("action", "accept"), "u1"));
        assertThat(run.dispatchedLast()).containsExactly("preflight_check");
        run.complete("preflight_check", Map.of("risk_score", 45));
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        assertThat(run.state.interrupts()).containsOnlyKeys("human_approve");
        assertThat(run.dispatchedAll()).doesNotContain("execute");
        run.send(new RunInput.InterruptResolved("human_approve", Map.of("action", "accept"), "u1"));
        assertThat(run.dispatchedLast()).containsExactly("execute");
    }

    @Test
    void aLowRiskScoreSkipsTheApprovalAndRunsExecuteDirectly() {
        RunDriver run = new RunDriver(Defs.osopExample("run-api-workflow.osop.yaml"));
        run.start(Map.of());
        run.send(new RunInput.InterruptResolved("select_workflow", Map.of("action", "accept"), "u1"));
        run.complete("preflight_check", Map.of("risk_score", 12.5));
        assertThat(run.typesFor("human_approve")).containsExactly("node.skipped");
        assertThat(run.dispatchedLast()).containsExactly("execute");
    }

    @Test
    void aFailedStepWithAFallbackBackEdgeReentersTheLoopBody() {
        RunDriver run = new RunDriver(Defs.osopExample("run-api-workflow.osop.yaml"));
        run.start(Map.of());
        run.send(new RunInput.InterruptResolved("select_workflow", Map.of("action", "accept"), "u1"));
        run.complete("preflight_check", Map.of("risk_score", 1));
        run.send(new RunInput.NodeFailed("execute", 0, ErrorInfo.of("exit_1", "command failed")));
        assertThat(run.types()).contains("capstan.loop.reentered");
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        assertThat(run.state.interrupts()).containsOnlyKeys("select_workflow");
        assertThat(run.state.node("execute").executions()).isEqualTo(1);
    }

    @Test
    void aFailureWithoutAFallbackFailsTheRunAndStopsSequentialSuccessors() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-multi-node.json"));
        run.start(Map.of());
        run.send(new RunInput.NodeFailed("a", 0, ErrorInfo.of("boom", "it broke")));
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("boom");
        assertThat(run.dispatchedAll()).containsExactly("a");
        assertThat(run.log.get(run.log.size() - 1).payload()).containsEntry("failedNodeId", "a");
    }

    @Test
    void aFallbackEdgeRunsOnlyWhenItsSourceFails() {
        String yaml = """
                osop_version: "1.0"
                id: fb
                name: fallback
                nodes: [{id: call, type: api}, {id: next, type: api}, {id: recover, type: api}]
                edges:
                  - {from: call, to: next}
                  - {from: call, to: recover, mode: fallback}
                """;
        RunDriver ok = new RunDriver(Defs.osop(yaml));
        ok.start(Map.of());
        ok.complete("call", Map.of());
        assertThat(ok.dispatchedLast()).containsExactly("next");
        assertThat(ok.typesFor("recover")).containsExactly("node.skipped");

        RunDriver failing = new RunDriver(Defs.osop(yaml));
        failing.start(Map.of());
        failing.send(new RunInput.NodeFailed("call", 0, ErrorInfo.of("http_500", "server error")));
        assertThat(failing.dispatchedLast()).containsExactly("recover");
        assertThat(failing.typesFor("next")).containsExactly("node.skipped");
        failing.complete("recover", Map.of());
        assertThat(failing.state.status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aSwitchEdgePicksExactlyTheMatchingCaseOrTheDefault() {
        RunDriver billing = new RunDriver(Defs.osopExample("switch-intent-routing.osop"));
        billing.start(Map.of());
        billing.complete("receive_query", Map.of());
        billing.complete("classify_intent", Map.of("intent", "billing"));
        assertThat(billing.dispatchedLast()).containsExactly("billing_handler");

        RunDriver other = new RunDriver(Defs.osopExample("switch-intent-routing.osop"));
        other.start(Map.of());
        other.complete("receive_query", Map.of());
        other.complete("classify_intent", Map.of("intent", "weather"));
        assertThat(other.state.interrupts()).containsOnlyKeys("fallback_handler");
        assertThat(other.dispatchedAll()).doesNotContain("billing_handler", "tech_handler", "sales_handler");
    }

    @Test
    void nodeInputsAreResolvedFromVariablesConnectionsAndExpressions() {
        String json = """
                {"id": "io", "name": "io", "version": "1", "triggers": [], "metadata": {}, "settings": {},
                 "variables": [{"name": "greeting", "type": "string", "defaultValue": "hi"}],
                 "nodes": [
                  {"id": "a", "typeId": "core.noop", "name": "A", "position": {"x": 0, "y": 0}, "config": {}, "inputs": {}},
                  {"id": "b", "typeId": "core.noop", "name": "B", "position": {"x": 0, "y": 0}, "config": {},
                   "inputs": {"g": {"type": "variable", "variableName": "greeting"},
                              "prev": {"type": "connection", "nodeId": "a", "outputKey": "count"},
                              "next": {"type": "expression", "expression": "a.count * 2 + inputs.offset"},
                              "fixed": {"type": "static", "value": [1, 2]}}}],
                 "edges": [{"id": "e", "sourceNodeId": "a", "targetNodeId": "b"}]}
                """;
        RunDriver run = new RunDriver(Defs.openWop(json));
        run.start(Map.of("offset", 1));
        run.complete("a", Map.of("count", 20));
        Command.DispatchNode d = (Command.DispatchNode) run.last.commands().get(0);
        assertThat(d.inputs()).containsEntry("g", "hi").containsEntry("prev", 20L).containsEntry("next", 41L)
                .containsEntry("fixed", java.util.List.of(1L, 2L));
        assertThat(d.idempotencyKey()).isEqualTo("run-1:b:0");
    }

    @Test
    void osopInterpolationResolvesUpstreamOutputsButLeavesSecretsForTheExecutor() {
        RunDriver run = new RunDriver(Defs.osopExample("stripe-payment-flow.osop.yaml"));
        run.start(Map.of());
        run.complete("create_customer", Map.of("customer_id", "cus_123"));
        Command.DispatchNode d = (Command.DispatchNode) run.last.commands().get(0);
        assertThat(d.nodeId()).isEqualTo("create_intent");
        Map<?, ?> runtime = (Map<?, ?>) d.config().get("runtime");
        assertThat(((Map<?, ?>) runtime.get("body")).get("customer")).isEqualTo("cus_123");
        assertThat(((Map<?, ?>) runtime.get("headers")).get("Authorization")).isEqualTo("Bearer ${secrets.STRIPE_SECRET_KEY}");
    }

    @Test
    void aLateReportForAnOldAttemptIsIgnoredWithoutEvents() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-noop.json"));
        run.start(Map.of());
        Decision d = run.send(new RunInput.NodeCompleted("noop", 7, Map.of()));
        assertThat(d.rejection().code()).isEqualTo("stale_attempt");
        assertThat(d.events()).isEmpty();
        assertThat(run.state.status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void startingTwiceIsRejected() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-noop.json"));
        run.start(Map.of());
        assertThat(run.start(Map.of()).rejection().code()).isEqualTo("run_already_started");
    }

    @Test
    void aMissingRequiredVariableRejectsTheStart() {
        String json = """
                {"id": "v", "name": "v", "version": "1", "triggers": [], "metadata": {}, "settings": {},
                 "variables": [{"name": "who", "type": "string", "required": true}],
                 "nodes": [{"id": "a", "typeId": "core.noop", "name": "A", "position": {"x": 0, "y": 0}, "config": {}, "inputs": {}}],
                 "edges": []}
                """;
        RunDriver run = new RunDriver(Defs.openWop(json));
        Decision d = run.start(Map.of());
        assertThat(d.rejection().code()).isEqualTo("validation_error");
        assertThat(d.rejection().details()).containsExactly("variable 'who' is required");
        assertThat(run.log).isEmpty();
    }
}
