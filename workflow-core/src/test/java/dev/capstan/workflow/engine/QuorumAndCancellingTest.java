package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.state.NodeStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Approval quorum (requiredApprovals / rejectionPolicy) and the cancelling phase of a draining cancel. */
class QuorumAndCancellingTest {

    private static RunDriver quorumRun() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-interrupt-quorum.json"));
        run.start(Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        return run;
    }

    private static Decision vote(RunDriver run, String action, String who) {
        return run.send(new RunInput.InterruptResolved("gate", Map.of("action", action), who));
    }

    @Test
    void partialVotesAreRecordedWithoutResumingAndTheThirdAcceptReleasesTheGate() {
        RunDriver run = quorumRun();
        vote(run, "accept", "alice");
        vote(run, "accept", "bob");
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        assertThat(run.types()).doesNotContain("interrupt.resolved", "node.resumed");
        assertThat(run.state.interrupts().get("gate").votes()).containsOnlyKeys("alice", "bob");
        RunEvent second = run.log.get(run.log.size() - 1);
        assertThat(second.type()).isEqualTo("approval.received");
        assertThat(second.payload()).containsEntry("decidedBy", "bob")
                .containsEntry("quorumProgress", Map.of("granted", 2L, "rejected", 0L, "required", 3L));

        vote(run, "accept", "carol");
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.types()).containsSubsequence("approval.received", "approval.received", "approval.received",
                "interrupt.resolved", "node.resumed", "node.completed", "run.completed");
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }

    @Test
    void underMajorityOneRejectIsOnlyAVoteAndTheSecondRejectsTheGate() {
        RunDriver run = quorumRun();
        vote(run, "reject", "alice");
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        vote(run, "accept", "bob");
        vote(run, "reject", "carol");
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo(ErrorInfo.APPROVAL_REJECTED);
    }

    @Test
    void theSamePrincipalCountsOnceAndCannotChangeItsVote() {
        RunDriver run = quorumRun();
        vote(run, "accept", "alice");
        Decision again = vote(run, "accept", "alice");
        assertThat(again.rejection()).isNull();
        assertThat(again.events()).extracting(RunEvent::type).containsExactly("log.appended");
        assertThat(vote(run, "reject", "alice").rejection().code()).isEqualTo("vote_already_cast");
        assertThat(run.state.interrupts().get("gate").votesFor("accept")).isEqualTo(1);
    }

    @Test
    void withoutAQuorumOneAcceptStillReleasesTheGate() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        run.start(Map.of());
        vote(run, "accept", "alice");
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.types()).doesNotContain("approval.received");
    }

    /** s fans out to a and b, which join in j. */
    private static RunDriver twoInFlight() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {"s", "a", "b", "j"}, "s>a", "s>b", "a>j", "b>j"));
        run.start(Map.of());
        run.complete("s", Map.of());
        assertThat(run.dispatchedLast()).containsExactly("a", "b");
        return run;
    }

    @Test
    void aDrainingCancelIsCancellingUntilTheLastInFlightNodeReports() {
        RunDriver run = twoInFlight();
        run.send(new RunInput.Cancel("user asked", "alice", true));
        assertThat(run.state.status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(run.last.commands()).filteredOn(c -> c instanceof Command.CancelNode)
                .extracting(c -> ((Command.CancelNode) c).nodeId()).containsExactly("a", "b");
        assertThat(run.state.cancellation()).containsEntry("reason", "user asked");

        // Outcomes are discarded: no join, no new dispatch; interrupts, pauses and stray timers are refused.
        run.complete("a", Map.of("x", 1));
        assertThat(run.state.node("a").status()).isEqualTo(NodeStatus.CANCELLED);
        assertThat(run.state.status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(run.dispatchedLast()).isEmpty();
        assertThat(run.send(new RunInput.Pause("p", DrainPolicy.IMMEDIATE)).rejection().code()).isEqualTo("invalid_state");

        run.send(new RunInput.NodeFailed("b", 0, ErrorInfo.of("stopped", "stopped by cancel")));
        assertThat(run.state.status()).isEqualTo(RunStatus.CANCELLED);
        RunEvent last = run.log.get(run.log.size() - 1);
        assertThat(last.type()).isEqualTo("run.cancelled");
        assertThat(last.payload()).containsEntry("reason", "user asked").containsEntry("cancelledBy", "alice");
        assertThat(run.dispatchedAll()).doesNotContain("j");
        FixtureRunTest.assertLogInvariants(run.log);
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }

    @Test
    void aSecondCancelWithoutDrainEndsTheCancellingPhaseAtOnce() {
        RunDriver run = twoInFlight();
        run.send(new RunInput.Cancel("slow", "alice", true));
        run.send(new RunInput.Cancel("now", "bob"));
        assertThat(run.state.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.typesFor("b")).endsWith("node.cancelled");
        assertThat(run.send(new RunInput.NodeCompleted("b", 0, Map.of())).rejection().code()).isEqualTo("run_terminal");
    }

    @Test
    void aDrainingCancelWithNothingInFlightCancelsAtOnce() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        run.start(Map.of());
        run.send(new RunInput.Cancel("no", "alice", true));
        assertThat(run.state.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.types()).doesNotContain("capstan.run.cancelling");
    }

    @Test
    void aCrashWhileCancellingReissuesTheCancelsAndTheFoldKeepsTheReason() {
        RunDriver run = twoInFlight();
        run.send(new RunInput.Cancel("user asked", "alice", true));
        run.state = dev.capstan.workflow.state.RunFold.fold("run-1", run.def.id(), run.log);
        assertThat(run.state.status()).isEqualTo(RunStatus.CANCELLING);
        run.send(new RunInput.Reconcile());
        assertThat(run.last.commands()).filteredOn(c -> c instanceof Command.CancelNode).hasSize(2);
        assertThat(List.of(run.state.cancellation().get("cancelledBy"))).containsExactly("alice");
    }

    @Test
    void askKeepsTheSameApprovalOpenAndLogsTheQuestion() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {"gate:core.approvalGate", "after"}, "gate>after"));
        run.start(Map.of());
        String interruptId = run.state.interrupts().get("gate").interruptId();
        run.send(new RunInput.InterruptResolved("gate", Map.of("action", "ask", "feedback", "Which region?"), "alice"));
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        assertThat(run.state.interrupts().get("gate").interruptId()).isEqualTo(interruptId);
        RunEvent logged = run.log.get(run.log.size() - 1);
        assertThat(logged.type()).isEqualTo("log.appended");
        assertThat(logged.payload()).containsEntry("nodeId", "gate");
        assertThat(dev.capstan.workflow.model.Values.asMap(logged.payload().get("fields")))
                .containsEntry("feedback", "Which region?").containsEntry("askedBy", "alice");
        assertThat(run.last.commands()).isEmpty();
        vote(run, "accept", "bob");
        assertThat(run.dispatchedLast()).containsExactly("after");
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }
}
