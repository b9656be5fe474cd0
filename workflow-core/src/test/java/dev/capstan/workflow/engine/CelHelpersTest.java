package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.load.OsopLoader;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The OSOP helper functions in conditions: status(), attempt(), error_of(), duration_of(), now(). */
class CelHelpersTest {

    /** a → yes when the condition holds, a → no otherwise (a retries once on a retryable failure). */
    private static WorkflowDefinition branch(String condition) {
        return Defs.osop("""
                osop_version: "1.1"
                id: helpers
                name: helpers
                nodes:
                  - {id: a, type: api, purpose: p, retry_policy: {max_retries: 1, backoff_sec: 0}}
                  - {id: yes, type: api, purpose: p}
                  - {id: no, type: api, purpose: p}
                edges:
                  - {from: a, to: yes, mode: conditional, when: "%s"}
                  - {from: a, to: no, mode: conditional, when: "!(%s)"}
                """.formatted(condition, condition));
    }

    /** Runs a: fails once (retryable) if asked, then completes after 1.5 s; returns the branch taken. */
    private static String taken(String condition, boolean failFirst) {
        RunDriver run = new RunDriver(branch(condition));
        run.clock.set(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        run.start(Map.of());
        if (failFirst) {
            run.send(new RunInput.NodeFailed("a", 0, ErrorInfo.retryable("flaky", "try again")));
        }
        run.clock.advanceMillis(1_500);
        run.complete("a", Map.of());
        assertThat(run.state.status()).isNotEqualTo(RunStatus.FAILED);
        return run.dispatchedAll().contains("yes") ? "yes" : "no";
    }

    @ParameterizedTest(name = "{0} (retried: {1}) -> {2}")
    @CsvSource(delimiter = '|', value = {
            "status('a') == 'completed'                         | false | yes",
            "status('yes') == 'pending'                         | false | yes",
            "attempt() == 1                                     | false | yes",
            "attempt() == 2                                     | true  | yes",
            "attempt() == 2                                     | false | no",
            "duration_of('a') == 1500                           | false | yes",
            "duration_of('a') > 2000                            | false | no",
            "now() == timestamp('2026-01-01T00:00:01.500Z')     | false | yes",
            "error_of('a') == null                              | false | yes",
    })
    void helpersReadTheRunAndTheDecisionsClock(String condition, boolean failFirst, String expected) {
        assertThat(taken(condition, failFirst)).isEqualTo(expected);
    }

    @Test
    void errorOfFeedsAnErrorEdgeItsCode() {
        WorkflowDefinition def = Defs.osop("""
                osop_version: "1.1"
                id: errors
                name: errors
                nodes:
                  - {id: a, type: api, purpose: p}
                  - {id: on_quota, type: api, purpose: p}
                  - {id: on_other, type: api, purpose: p}
                edges:
                  - {from: a, to: on_quota, mode: error, when: "error_of('a').code == 'quota'"}
                  - {from: a, to: on_other, mode: error, when: "error_of('a').code != 'quota'"}
                """);
        RunDriver run = new RunDriver(def);
        run.start(Map.of());
        run.send(new RunInput.NodeFailed("a", 0, ErrorInfo.of("quota", "over quota")));
        assertThat(run.dispatchedAll()).contains("on_quota").doesNotContain("on_other");
    }

    @Test
    void aHelperCalledWithTheWrongTypeIsAProblemAtLoadTime() {
        LoadResult<WorkflowDefinition> r = new OsopLoader(NodeTypeRegistry.acceptAll()).load("""
                osop_version: "1.1"
                id: bad
                name: bad
                nodes:
                  - {id: a, type: api, purpose: p}
                  - {id: b, type: api, purpose: p}
                edges:
                  - {from: a, to: b, mode: conditional, when: "status(42) == 'completed'"}
                """);
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.pointer()).isEqualTo("/edges/0/when");
            assertThat(p.message()).contains("status");
        });
    }
}
