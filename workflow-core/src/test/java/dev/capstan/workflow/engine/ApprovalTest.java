package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.NodeStatus;
import dev.capstan.workflow.state.RunOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OpenWOP approvals: who may decide ({@code approversList}), how votes add up ({@code requiredApprovals},
 * {@code rejectionPolicy}), and what each action does — accept, edit-accept, reject, ask, and refine, which sends the
 * artifact back to the nodes that produced it.
 */
class ApprovalTest {

    /**
     * draft → review → publish. The draft's config reads the refine feedback; the review shows the draft's text as its
     * artifact. {@code gate} is extra JSON for the review's config.
     */
    static WorkflowDefinition reviewFlow(String gate) {
        return Defs.openWop("""
                {"id": "review-flow", "name": "review-flow", "version": "1", "triggers": [], "variables": [],
                 "metadata": {}, "settings": {},
                 "nodes": [
                   {"id": "draft", "typeId": "core.task", "name": "draft", "position": {"x": 0, "y": 0},
                    "config": {"prompt": "Write the note. Reviewer said: ${variables.refineFeedback.text}"}, "inputs": {}},
                   {"id": "review", "typeId": "core.approvalGate", "name": "review", "position": {"x": 0, "y": 0},
                    "config": {"title": "Review the note", "artifactData": "${outputs.draft.text}",
                               "actions": ["accept", "reject", "refine", "edit-accept", "ask"] %s},
                    "inputs": {}},
                   {"id": "publish", "typeId": "core.task", "name": "publish", "position": {"x": 0, "y": 0},
                    "config": {"text": "${outputs.review.artifactData}"}, "inputs": {}}
                 ],
                 "edges": [
                   {"id": "e1", "sourceNodeId": "draft", "targetNodeId": "review"},
                   {"id": "e2", "sourceNodeId": "review", "targetNodeId": "publish"}
                 ]}
                """.formatted(gate.isEmpty() ? "" : ", " + gate));
    }

    /** Starts the review flow and completes the draft, so the review is open. */
    static RunDriver atReview(String gate, RunOptions options) {
        RunDriver run = new RunDriver(reviewFlow(gate));
        run.start(Map.of(), options);
        run.complete("draft", Map.of("text", "v1"));
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
        return run;
    }

    static Decision answer(RunDriver run, String who, Map<String, Object> value) {
        return run.send(new RunInput.InterruptResolved("review", value, who));
    }

    static Decision answer(RunDriver run, String who, String action) {
        return answer(run, who, Map.of("action", action));
    }

    // ------------------------------------------------------------------ who may decide, how votes add up

    /**
     * One row: the gate's extra config, the answers in order ({@code who:action}, {@code who} empty for no principal)
     * each with the rejection code expected (null = accepted), and where the run ends up.
     */
    record Row(String name, String gate, List<String> answers, List<String> refusals, RunStatus status, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> decisions() {
        List<String> ok = new ArrayList<>();
        ok.add(null);
        return Stream.of(
                new Row("a listed approver decides", "\"approversList\": [\"alice\", \"bob\"]",
                        List.of("bob:accept"), ok, RunStatus.RUNNING, null),
                new Row("anyone else is refused and the gate stays open", "\"approversList\": [\"alice\"]",
                        List.of("mallory:accept", "mallory:reject", "mallory:ask", ":accept"),
                        List.of("forbidden", "forbidden", "forbidden", "forbidden"), RunStatus.WAITING_APPROVAL, null),
                new Row("an empty list lets anyone decide", "\"approversList\": []",
                        List.of("mallory:reject"), ok, RunStatus.FAILED, "approval_rejected"),
                new Row("quorum: each listed approver counts once, a repeat is only logged",
                        "\"approversList\": [\"a\", \"b\", \"c\"], \"requiredApprovals\": 2",
                        List.of("a:accept", "a:accept", "x:accept", "b:edit-accept"),
                        nulls(null, null, "forbidden", null), RunStatus.RUNNING, null),
                new Row("quorum: a vote cannot be changed",
                        "\"requiredApprovals\": 2", List.of("a:accept", "a:reject"),
                        nulls(null, "vote_already_cast"), RunStatus.WAITING_APPROVAL, null),
                new Row("single-veto: one reject closes the gate", "\"requiredApprovals\": 3",
                        List.of("a:accept", "b:reject"), nulls(null, null), RunStatus.FAILED, "approval_rejected"),
                new Row("majority: one of three rejects is only a vote", "\"requiredApprovals\": 3, \"rejectionPolicy\": \"majority\"",
                        List.of("a:reject", "b:accept"), nulls(null, null), RunStatus.WAITING_APPROVAL, null),
                new Row("majority: two of three reject", "\"requiredApprovals\": 3, \"rejectionPolicy\": \"majority\"",
                        List.of("a:reject", "b:accept", "c:reject"), nulls(null, null, null), RunStatus.FAILED,
                        "approval_rejected"),
                new Row("majority: a repeated reject is not counted twice",
                        "\"requiredApprovals\": 3, \"rejectionPolicy\": \"majority\"",
                        List.of("a:reject", "a:reject"), nulls(null, null), RunStatus.WAITING_APPROVAL, null));
    }

    static List<String> nulls(String... codes) {
        return new ArrayList<>(java.util.Arrays.asList(codes));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void approversAndVotes(Row row) {
        RunDriver run = atReview(row.gate(), RunOptions.DEFAULTS);
        for (int i = 0; i < row.answers().size(); i++) {
            String[] whoAction = row.answers().get(i).split(":", 2);
            int before = run.log.size();
            Decision d = answer(run, whoAction[0].isEmpty() ? null : whoAction[0], whoAction[1]);
            String expected = row.refusals().get(i);
            assertThat(d.rejection() == null ? null : d.rejection().code()).as(row.answers().get(i)).isEqualTo(expected);
            if (expected != null) {
                assertThat(run.log).as("a refusal writes nothing").hasSize(before);
                assertThat(run.state.interrupts()).as("the gate stays open").containsKey("review");
            }
        }
        assertThat(run.state.status()).isEqualTo(row.status());
        if (row.error() != null) {
            assertThat(run.state.error().code()).isEqualTo(row.error());
        }
        if (row.status() == RunStatus.RUNNING) {
            assertThat(run.dispatchedLast()).containsExactly("publish");
        }
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }

    @Test
    void aRepeatedVoteIsLoggedAndTheProgressCountsEachApproverOnce() {
        RunDriver run = atReview("\"requiredApprovals\": 3", RunOptions.DEFAULTS);
        answer(run, "a", "accept");
        answer(run, "a", "accept");
        RunEvent repeat = run.log.get(run.log.size() - 1);
        assertThat(repeat.type()).isEqualTo("log.appended");
        assertThat(repeat.payload().get("fields")).isEqualTo(Map.of("interruptId", run.state.interrupts().get("review")
                .interruptId(), "decidedBy", "a", "action", "accept"));
        answer(run, "b", "edit-accept");
        RunEvent second = run.log.get(run.log.size() - 1);
        assertThat(second.payload()).containsEntry("quorumProgress", Map.of("granted", 2L, "rejected", 0L, "required", 3L));
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_APPROVAL);
    }

    @Test
    void theHostPrincipalIsTheApproverAndABodyDecidedByOnlyCountsWithoutOne() {
        Map<String, Object> claimsAlice = Map.of("action", "accept", "decidedBy", "alice");
        RunDriver run = atReview("\"approversList\": [\"alice\"]", RunOptions.DEFAULTS);
        assertThat(answer(run, "mallory", claimsAlice).rejection().code()).isEqualTo("forbidden");
        assertThat(answer(run, null, claimsAlice).rejection()).isNull();
        assertThat(run.state.node("review").status()).isEqualTo(NodeStatus.COMPLETED);
    }

    @Test
    void aQuorumTheListCannotReachIsRejectedWhenTheWorkflowLoads() {
        var result = new dev.capstan.workflow.load.OpenWopLoader(dev.capstan.workflow.graph.NodeTypeRegistry.acceptAll())
                .load(reviewFlowJson("\"approversList\": [\"a\", \"b\"], \"requiredApprovals\": 3"));
        assertThat(result).isInstanceOf(dev.capstan.workflow.error.LoadResult.Rejected.class);
        assertThat(((dev.capstan.workflow.error.LoadResult.Rejected<?>) result).problems())
                .extracting(dev.capstan.workflow.error.Problem::code).contains("node.quorum_unreachable");
    }

    static String reviewFlowJson(String gate) {
        return """
                {"id": "q", "name": "q", "version": "1", "triggers": [], "variables": [], "metadata": {}, "settings": {},
                 "nodes": [{"id": "review", "typeId": "core.approvalGate", "name": "review", "position": {"x": 0, "y": 0},
                            "config": {"title": "t", %s}, "inputs": {}}],
                 "edges": []}
                """.formatted(gate);
    }

    // ------------------------------------------------------------------ accept, edit-accept, ask

    @Test
    void theApprovalShowsTheProducedArtifactAndAcceptPassesItOn() {
        RunDriver run = atReview("", RunOptions.DEFAULTS);
        assertThat(requested(run).data()).containsEntry("artifactData", "v1");
        answer(run, "alice", "accept");
        assertThat(run.state.node("review").outputs()).containsEntry("action", "accept").containsEntry("artifactData", "v1");
        assertThat(dispatched(run, "publish").config()).containsEntry("text", "v1");
    }

    @Test
    void editAcceptMakesTheEditedArtifactTheGatesOutput() {
        RunDriver run = atReview("", RunOptions.DEFAULTS);
        answer(run, "alice", Map.of("action", "edit-accept", "editedArtifactData", "v1, edited"));
        assertThat(run.state.node("review").status()).isEqualTo(NodeStatus.COMPLETED);
        assertThat(run.state.node("review").outputs()).containsEntry("artifactData", "v1, edited")
                .containsEntry("editedArtifactData", "v1, edited");
        assertThat(dispatched(run, "publish").config()).containsEntry("text", "v1, edited");
    }

    @Test
    void askKeepsTheSameInterruptOpen() {
        RunDriver run = atReview("", RunOptions.DEFAULTS);
        String id = run.state.interrupts().get("review").interruptId();
        answer(run, "alice", Map.of("action", "ask", "question", "Which audience?"));
        assertThat(run.state.interrupts().get("review").interruptId()).isEqualTo(id);
        assertThat(run.types()).doesNotContain("interrupt.resolved");
        assertThat(run.log.get(run.log.size() - 1).type()).isEqualTo("log.appended");
    }

    // ------------------------------------------------------------------ refine

    @Test
    void refineReRunsTheProducerWithTheFeedbackAndAsksAgainAboutTheNewArtifact() {
        RunDriver run = atReview("", RunOptions.DEFAULTS);
        String firstInterrupt = run.state.interrupts().get("review").interruptId();
        int firstAttempt = dispatched(run, "draft").attempt();
        answer(run, "alice", Map.of("action", "refine", "refineFeedback", Map.of("scope", "whole", "text", "shorter")));

        assertThat(run.last.events()).extracting(RunEvent::type).containsExactly("interrupt.resolved", "node.resumed",
                "variable.changed", "capstan.approval.refined", "node.started");
        RunEvent refined = run.last.events().get(3);
        assertThat(refined.payload()).containsEntry("round", 1L).containsEntry("decidedBy", "alice")
                .containsEntry("resetNodeIds", List.of("draft", "review"))
                .containsEntry("refineFeedback", Map.of("scope", "whole", "text", "shorter"));
        assertThat(run.state.variables().get("refineFeedback")).isEqualTo(Map.of("scope", "whole", "text", "shorter",
                "nodeId", "review", "round", 1L, "producerNodeIds", List.of("draft"), "decidedBy", "alice"));
        Command.DispatchNode again = dispatched(run, "draft");
        assertThat(again.attempt()).isEqualTo(firstAttempt + 1);
        assertThat(again.config()).containsEntry("prompt", "Write the note. Reviewer said: shorter");
        assertThat(run.state.node("review").status()).isEqualTo(NodeStatus.IDLE);
        assertThat(run.state.status()).isEqualTo(RunStatus.RUNNING);

        run.complete("draft", Map.of("text", "v2"));
        Command.RequestInterrupt second = requested(run);
        assertThat(second.interruptId()).isNotEqualTo(firstInterrupt);
        assertThat(second.key()).isEqualTo("run-1:review:2");
        assertThat(second.data()).containsEntry("artifactData", "v2");

        answer(run, "alice", "accept");
        assertThat(dispatched(run, "publish").config()).containsEntry("text", "v2");
        run.complete("publish", Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        FixtureRunTest.assertLogInvariants(run.log);
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }

    @Test
    void theLegacyRejectedWithFeedbackIsARefineAndWithoutFeedbackAReject() {
        RunDriver run = atReview("", RunOptions.DEFAULTS);
        answer(run, "alice", Map.of("decision", "rejected", "feedback", "more detail"));
        assertThat(run.types()).contains("capstan.approval.refined");
        assertThat(run.state.variables().get("refineFeedback")).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("text", "more detail");
        run.complete("draft", Map.of("text", "v2"));
        answer(run, "alice", Map.of("decision", "approved"));
        assertThat(run.dispatchedLast()).containsExactly("publish");

        RunDriver other = atReview("", RunOptions.DEFAULTS);
        answer(other, "alice", Map.of("decision", "rejected"));
        assertThat(other.state.error().code()).isEqualTo("approval_rejected");
    }

    @Test
    void endlessRefiningHitsTheNodeExecutionCap() {
        RunDriver run = atReview("", RunOptions.DEFAULTS);
        int rounds = 0;
        while (!run.state.status().isTerminal() && rounds < 1_000) {
            if (run.state.interrupts().containsKey("review")) {
                answer(run, "alice", Map.of("action", "refine", "refineFeedback", Map.of("scope", "whole", "text", "again")));
                rounds++;
            } else {
                run.complete("draft", Map.of("text", "v" + rounds));
            }
        }
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("recursion_limit_exceeded");
        assertThat(run.types()).contains("cap.breached");
        assertThat(run.state.nodeExecutions()).isEqualTo(RunOptions.DEFAULT_MAX_NODE_EXECUTIONS);
        FixtureRunTest.assertLogInvariants(run.log);
    }

    @Test
    void refineRoundsCountAgainstTheLoopLimit() {
        RunDriver run = atReview("", new RunOptions(null, null, null, 2, null));
        for (int round = 1; round <= 2; round++) {
            answer(run, "alice", "refine");
            run.complete("draft", Map.of("text", "v" + (round + 1)));
        }
        answer(run, "alice", "refine");
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("loop_limit_exceeded");
        RunEvent cap = run.log.stream().filter(e -> e.type().equals("cap.breached")).findFirst().orElseThrow();
        assertThat(cap.payload()).containsEntry("kind", "loop-iterations").containsEntry("limit", 2L).containsEntry("observed", 3L);
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }

    @Test
    void aGateWithNothingBeforeItIsAskedAgainOnRefine() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {"gate:core.approvalGate", "after"}, "gate>after"));
        run.start(Map.of());
        answer(run, "gate", "alice", "refine");
        assertThat(run.state.interrupts()).containsKey("gate");
        assertThat(requested(run).key()).isEqualTo("run-1:gate:2");
        assertThat(run.state.node("gate").executions()).isEqualTo(2);
        answer(run, "gate", "alice", "accept");
        assertThat(run.dispatchedLast()).containsExactly("after");
    }

    @Test
    void refineOnTheApprovalBeforeATaskReRunsWhatFeedsTheTaskThenAsksBeforeDispatch() {
        RunDriver run = new RunDriver(Defs.osop("""
                osop_version: "1.0"
                id: plan-deploy
                name: plan-deploy
                nodes:
                  - {id: plan, type: agent, purpose: "write the plan"}
                  - {id: deploy, type: cli, security: {risk_level: high, approval_gate: true}, runtime: {command: "make deploy"}}
                edges:
                  - {from: plan, to: deploy, mode: sequential}
                """));
        run.start(Map.of());
        run.complete("plan", Map.of("steps", 3));
        assertThat(run.state.node("deploy").status()).isEqualTo(NodeStatus.AWAITING_APPROVAL);
        answer(run, "deploy", "alice", "refine");
        assertThat(run.dispatchedLast()).containsExactly("plan");
        run.complete("plan", Map.of("steps", 2));
        assertThat(run.state.node("deploy").status()).isEqualTo(NodeStatus.AWAITING_APPROVAL);
        assertThat(run.dispatchedAll()).doesNotContain("deploy");
        answer(run, "deploy", "alice", "accept");
        assertThat(run.dispatchedLast()).containsExactly("deploy");
    }

    static Decision answer(RunDriver run, String nodeId, String who, String action) {
        return run.send(new RunInput.InterruptResolved(nodeId, Map.of("action", action), who));
    }

    static Command.RequestInterrupt requested(RunDriver run) {
        List<Command.RequestInterrupt> all = new ArrayList<>();
        run.commands.stream().filter(c -> c instanceof Command.RequestInterrupt).forEach(c -> all.add((Command.RequestInterrupt) c));
        return all.get(all.size() - 1);
    }

    static Command.DispatchNode dispatched(RunDriver run, String nodeId) {
        Map<String, Command.DispatchNode> last = new LinkedHashMap<>();
        run.commands.stream().filter(c -> c instanceof Command.DispatchNode).map(c -> (Command.DispatchNode) c)
                .forEach(d -> last.put(d.nodeId(), d));
        return last.get(nodeId);
    }
}
