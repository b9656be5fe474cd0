package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.state.NodeStatus;
import dev.capstan.workflow.state.RunOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterruptCancelPauseTest {

    @Test
    void anApprovalGateSuspendsTheRunAndAcceptCompletesIt() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        run.start(Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        assertThat(run.state.currentNodeId()).isEqualTo("gate");
        Command.RequestInterrupt req = (Command.RequestInterrupt) run.last.commands().stream()
                .filter(c -> c instanceof Command.RequestInterrupt).findFirst().orElseThrow();
        assertThat(req.key()).isEqualTo("run-1:gate:1");
        assertThat(req.data()).containsEntry("actions", List.of("accept", "reject"));
        run.send(new RunInput.InterruptResolved("gate", Map.of("action", "accept"), "alice"));
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.types()).containsSubsequence("interrupt.requested", "node.suspended", "interrupt.resolved",
                "node.resumed", "node.completed", "run.completed");
    }

    @Test
    void aResumeValueOutsideTheResumeSchemaIsRejectedWithoutEvents() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        run.start(Map.of());
        Decision d = run.send(new RunInput.InterruptResolved("gate", Map.of("action", "maybe"), "alice"));
        assertThat(d.rejection().code()).isEqualTo("validation_error");
        assertThat(d.rejection().details()).isNotEmpty();
        assertThat(d.events()).isEmpty();
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
    }

    @Test
    void resolvingAnUnknownNodeIsNotFoundAndResolvingTwiceIsAlreadyResolved() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {"gate:core.approvalGate", "after"}, "gate>after"));
        run.start(Map.of());
        assertThat(run.send(new RunInput.InterruptResolved("nope", Map.of("action", "accept"), "a")).rejection().code())
                .isEqualTo("interrupt_not_found");
        run.send(new RunInput.InterruptResolved("gate", Map.of("action", "accept"), "a"));
        assertThat(run.dispatchedLast()).containsExactly("after");
        assertThat(run.send(new RunInput.InterruptResolved("gate", Map.of("action", "accept"), "a")).rejection().code())
                .isEqualTo("interrupt_already_resolved");
    }

    @Test
    void resolvingAfterTheRunEndedIsRejectedAsTerminal() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        run.start(Map.of());
        run.send(new RunInput.InterruptResolved("gate", Map.of("action", "accept"), "a"));
        assertThat(run.send(new RunInput.InterruptResolved("gate", Map.of("action", "accept"), "a")).rejection().code())
                .isEqualTo("run_terminal");
    }

    @Test
    void aRejectedApprovalFailsTheRun() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        run.start(Map.of());
        run.send(new RunInput.InterruptResolved("gate", Map.of("action", "reject"), "alice"));
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("approval_rejected");
    }

    @Test
    void clarificationAcceptsAnswersAsAMapAndPassesThemOnAsOutputs() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-clarification.json"));
        run.start(Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_INPUT);
        run.send(new RunInput.InterruptResolved("ask", Map.of("answers", Map.of("q1", "blue")), "bob"));
        assertThat(run.state.node("ask").outputs()).containsEntry("answers", Map.of("q1", "blue"));
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aTaskWithAnApprovalGateIsNotDispatchedUntilApproved() {
        String yaml = """
                osop_version: "1.0"
                id: g
                name: gated deploy
                nodes:
                  - {id: deploy, type: cli, security: {risk_level: high, approval_gate: true}, runtime: {command: "make deploy"}}
                edges: []
                """;
        RunDriver run = new RunDriver(Defs.osop(yaml));
        run.start(Map.of());
        assertThat(run.dispatchedAll()).isEmpty();
        assertThat(run.state.node("deploy").status()).isEqualTo(NodeStatus.AWAITING_APPROVAL);
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        run.send(new RunInput.InterruptResolved("deploy", Map.of("action", "accept"), "ops"));
        assertThat(run.dispatchedLast()).containsExactly("deploy");
        assertThat(run.state.status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void cancelStopsInFlightNodesEndsTheRunAndASecondCancelIsRejected() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-cancellable.json"));
        run.start(Map.of("delayMs", 60_000));
        run.send(new RunInput.Cancel("user asked", "key:abc"));
        assertThat(run.state.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.types()).containsSubsequence("node.cancelled", "run.cancelled");
        assertThat(run.log.get(run.log.size() - 1).payload()).containsEntry("reason", "user asked")
                .containsEntry("cancelledBy", "key:abc");
        assertThat(run.send(new RunInput.Cancel(null, null)).rejection().code()).isEqualTo("run_terminal");
    }

    @Test
    void drainCurrentNodePauseRecordsTheRunningNodesResultButStartsNothingUntilResume() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-multi-node.json"));
        run.start(Map.of());
        run.send(new RunInput.Pause("maintenance", DrainPolicy.DRAIN_CURRENT_NODE));
        assertThat(run.state.status()).isEqualTo(RunStatus.PAUSED);
        run.complete("a", Map.of());
        assertThat(run.state.node("a").status()).isEqualTo(NodeStatus.COMPLETED);
        assertThat(run.last.commands()).isEmpty();
        assertThat(run.send(new RunInput.Pause(null, null)).rejection().code()).isEqualTo("invalid_state");
        run.send(new RunInput.Resume("done"));
        assertThat(run.state.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.dispatchedLast()).containsExactly("b");
    }

    @Test
    void immediatePauseCancelsTheRunningAttemptAndResumeRunsItAgainAsANewAttempt() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-multi-node.json"));
        run.start(Map.of());
        run.send(new RunInput.Pause(null, DrainPolicy.IMMEDIATE));
        assertThat(run.last.commands()).containsExactly(new Command.CancelNode("run-1", "a", 0, "run-paused"));
        assertThat(run.send(new RunInput.NodeCompleted("a", 0, Map.of())).rejection().code()).isEqualTo("stale_attempt");
        run.send(new RunInput.Resume(null));
        Command.DispatchNode again = (Command.DispatchNode) run.last.commands().get(0);
        assertThat(again.nodeId()).isEqualTo("a");
        assertThat(again.attempt()).isEqualTo(1);
    }

    @Test
    void resumingARunThatIsNotPausedIsRejected() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-noop.json"));
        run.start(Map.of());
        assertThat(run.send(new RunInput.Resume(null)).rejection().code()).isEqualTo("invalid_state");
    }

    @Test
    void aNodeWhoseEstimateWouldCrossTheBudgetIsNotStarted() {
        String yaml = """
                osop_version: "1.0"
                id: b
                name: budget
                nodes:
                  - {id: cheap, type: agent, cost: {estimated: 0.40}}
                  - {id: pricey, type: agent, cost: {estimated: 0.70}}
                edges: [{from: cheap, to: pricey}]
                """;
        RunDriver run = new RunDriver(Defs.osop(yaml));
        run.start(Map.of(), new RunOptions(null, null, null, null, 1.0));
        run.send(new RunInput.NodeCompleted("cheap", 0, Map.of(), new CostTotals(0.45, 1000, 200), Map.of()));
        assertThat(run.dispatchedAll()).containsExactly("cheap");
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("budget_exhausted");
        assertThat(run.state.cost()).isEqualTo(new CostTotals(0.45, 1000, 200));
    }

    @Test
    void spendingPastTheBudgetFailsTheRunAfterTheNodeCompletes() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-multi-node.json"));
        run.start(Map.of(), new RunOptions(null, null, null, null, 0.10));
        run.send(new RunInput.NodeCompleted("a", 0, Map.of(), new CostTotals(0.25, 10, 10), Map.of()));
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("budget_exhausted");
        assertThat(run.dispatchedAll()).containsExactly("a");
    }

    @Test
    void nodeReportedVariableUpdatesAreRecordedAsVariableChangedEvents() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-multi-node.json"));
        run.start(Map.of());
        run.send(new RunInput.NodeCompleted("a", 0, Map.of(), null, Map.of("counter", 1)));
        assertThat(run.state.variables()).containsEntry("counter", 1L);
        assertThat(run.types()).contains("variable.changed");
    }
}
