package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunOptions;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ParallelJoinLoopTest {

    /** s fans out to x and y; both feed j under the given trigger rule. */
    static WorkflowDefinition diamond(String rule) {
        return Defs.graph("{}", new String[] {"s", "x", "y", "j"}, "s>x", "s>y", "x>j@" + rule, "y>j@" + rule);
    }

    @Test
    void fanOutDispatchesEveryBranchInTheSameDecision() {
        RunDriver run = new RunDriver(diamond("all_success"));
        run.start(Map.of());
        run.complete("s", Map.of());
        assertThat(run.dispatchedLast()).containsExactly("x", "y");
    }

    /**
     * x succeeds first, then y ends as given. Columns: rule, y outcome, j dispatched after x alone, j dispatched at
     * the end, final run status.
     */
    @ParameterizedTest(name = "{0} with y {1}")
    @CsvSource({
            "all_success,  completed, false, true,  COMPLETED",
            "all_success,  failed,    false, false, FAILED",
            "any_success,  completed, true,  true,  COMPLETED",
            "all_complete, completed, false, true,  COMPLETED",
            "all_complete, failed,    false, true,  COMPLETED",
            "none_failed,  completed, false, true,  COMPLETED",
            "none_failed,  failed,    false, false, FAILED",
            "any_failed,   failed,    false, true,  COMPLETED",
            "any_failed,   completed, false, false, COMPLETED",
    })
    void joinRulesDecideWhenTheJoinNodeRuns(String rule, String yOutcome, boolean afterX, boolean atEnd, RunStatus status) {
        RunDriver run = new RunDriver(diamond(rule));
        run.start(Map.of());
        run.complete("s", Map.of());
        run.complete("x", Map.of());
        assertThat(run.dispatchedAll().contains("j")).as("j dispatched after x alone").isEqualTo(afterX);
        if (run.state.status().isTerminal()) {
            return;
        }
        if (yOutcome.equals("completed")) {
            run.complete("y", Map.of());
        } else {
            run.send(new RunInput.NodeFailed("y", 0, ErrorInfo.of("y_failed", "y failed")));
        }
        assertThat(run.dispatchedAll().contains("j")).as("j dispatched at the end").isEqualTo(atEnd);
        if (!run.state.status().isTerminal() && run.state.node("j").status() == dev.capstan.workflow.state.NodeStatus.RUNNING) {
            run.complete("j", Map.of());
        }
        assertThat(run.state.status()).isEqualTo(status);
        FixtureRunTest.assertLogInvariants(run.log);
    }

    @Test
    void osopWaitNJoinRunsOnceEnoughBranchesSucceeded() {
        String yaml = """
                osop_version: "1.1"
                id: n
                name: wait n
                nodes: [{id: s, type: api}, {id: a, type: api}, {id: b, type: api}, {id: c, type: api}, {id: j, type: api}]
                edges:
                  - {from: s, to: a, mode: parallel}
                  - {from: s, to: b, mode: parallel}
                  - {from: s, to: c, mode: parallel}
                  - {from: a, to: j, join_mode: wait_n, join_count: 2}
                  - {from: b, to: j, join_mode: wait_n, join_count: 2}
                  - {from: c, to: j, join_mode: wait_n, join_count: 2}
                """;
        RunDriver run = new RunDriver(Defs.osop(yaml));
        run.start(Map.of());
        run.complete("s", Map.of());
        run.complete("a", Map.of());
        assertThat(run.dispatchedAll()).doesNotContain("j");
        run.complete("c", Map.of());
        assertThat(run.dispatchedLast()).containsExactly("j");
    }

    static final String LOOP = """
            osop_version: "1.1"
            id: loop
            name: loop
            nodes: [{id: draft, type: agent}, {id: review, type: agent}, {id: publish, type: api}]
            edges:
              - {from: draft, to: review}
              - {from: review, to: draft, mode: loop, when: "review.again == true"}
              - {from: review, to: publish}
            """;

    @Test
    void aLoopEdgeReentersItsBodyWhileItsConditionHolds() {
        RunDriver run = new RunDriver(Defs.osop(LOOP));
        run.start(Map.of());
        run.complete("draft", Map.of());
        run.complete("review", Map.of("again", true));
        assertThat(run.dispatchedLast()).containsExactly("draft");
        assertThat(run.state.node("draft").attempt()).isEqualTo(1);
        run.complete("draft", Map.of());
        run.complete("review", Map.of("again", false));
        assertThat(run.dispatchedLast()).containsExactly("publish");
        run.complete("publish", Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.state.loopIterations()).containsEntry("e1:review->draft", 1);
    }

    @Test
    void aLoopPastItsIterationLimitBreachesTheCapAndFailsTheRun() {
        RunDriver run = new RunDriver(Defs.osop(LOOP));
        run.start(Map.of(), new RunOptions(null, null, null, 2, null));
        for (int i = 0; i < 3; i++) {
            run.complete("draft", Map.of());
            run.complete("review", Map.of("again", true));
        }
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("loop_limit_exceeded");
        var cap = run.log.stream().filter(e -> e.type().equals("cap.breached")).findFirst().orElseThrow();
        assertThat(cap.payload()).containsEntry("kind", "loop-iterations").containsEntry("limit", 2L)
                .containsEntry("observed", 3L);
    }

    @Test
    void anUnconditionalOpenWopLoopbackIsStoppedByTheRecursionLimit() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-dispatch-loop.json"));
        run.start(Map.of(), new RunOptions(10, null, null, null, null));
        run.autopilot(d -> Map.of(), 100);
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("recursion_limit_exceeded");
        assertThat(run.state.nodeExecutions()).isEqualTo(10);
        var cap = run.log.stream().filter(e -> e.type().equals("cap.breached")).findFirst().orElseThrow();
        assertThat(cap.payload()).containsEntry("kind", "node-executions").containsEntry("limit", 10L)
                .containsEntry("observed", 11L);
        assertThat(run.types().subList(run.types().size() - 2, run.types().size()))
                .containsExactly("cap.breached", "run.failed");
    }

    @Test
    void theRecursionLimitIsTheSmallerOfRecursionLimitAndMaxNodeExecutions() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-dispatch-loop.json"));
        run.start(Map.of(), new RunOptions(50, 4, null, null, null));
        run.autopilot(d -> Map.of(), 100);
        assertThat(run.state.nodeExecutions()).isEqualTo(4);
        assertThat(run.state.error().code()).isEqualTo("recursion_limit_exceeded");
    }
}
