package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.state.NodeStatus;
import dev.capstan.workflow.state.RunOptions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryTimeoutTest {

    static final String RETRYING = "{\"retry\": {\"maxRetries\": 3, \"backoff\": \"exponential\", \"initialDelayMs\": 1000,"
            + " \"multiplier\": 2, \"maxDelayMs\": 3000}}";

    @Test
    void retryableFailuresAreRetriedWithExponentialBackoffUntilTheBudgetIsSpent() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {"a:core.http:" + RETRYING}));
        run.start(Map.of());
        Instant t0 = run.clock.instant();
        long[] expectedDelays = {1000, 2000, 3000};
        for (int attempt = 0; attempt < 3; attempt++) {
            run.send(new RunInput.NodeFailed("a", attempt, ErrorInfo.retryable("http_503", "unavailable")));
            var retried = run.log.get(run.log.size() - 1);
            assertThat(retried.type()).isEqualTo("node.retried");
            assertThat(retried.payload()).containsEntry("attempt", (long) attempt + 1)
                    .containsEntry("delayMs", expectedDelays[attempt]);
            Command.ScheduleTimer timer = (Command.ScheduleTimer) run.last.commands().get(0);
            assertThat(timer.kind()).isEqualTo(TimerKind.RETRY);
            assertThat(timer.fireAt()).isEqualTo(run.clock.instant().plusMillis(expectedDelays[attempt]));
            assertThat(run.state.node("a").status()).isEqualTo(NodeStatus.RETRY_WAIT);
            run.clock.set(timer.fireAt());
            run.send(new RunInput.TimerFired(TimerKind.RETRY, "a", attempt + 1));
            assertThat(run.dispatchedLast()).containsExactly("a");
        }
        run.send(new RunInput.NodeFailed("a", 3, ErrorInfo.retryable("http_503", "unavailable")));
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        var failed = run.log.stream().filter(e -> e.type().equals("node.failed")).findFirst().orElseThrow();
        assertThat(failed.payload()).containsEntry("attempts", 4L);
        assertThat(run.clock.instant()).isAfter(t0);
    }

    @Test
    void aNonRetryableFailureIsNotRetried() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {"a:core.http:" + RETRYING}));
        run.start(Map.of());
        run.send(new RunInput.NodeFailed("a", 0, ErrorInfo.of("bad_request", "400")));
        assertThat(run.types()).doesNotContain("node.retried");
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void aRetryTimerForAnAttemptThatIsNotWaitingIsIgnored() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {"a:core.http:" + RETRYING}));
        run.start(Map.of());
        Decision d = run.send(new RunInput.TimerFired(TimerKind.RETRY, "a", 1));
        assertThat(d.rejection().code()).isEqualTo("stale_timer");
        assertThat(d.events()).isEmpty();
    }

    @Test
    void aNodeTimeoutCancelsTheAttemptAndFollowsTheTimeoutEdge() {
        String yaml = """
                osop_version: "1.0"
                id: t
                name: timeout
                nodes: [{id: slow, type: api, timeout_sec: 2}, {id: next, type: api}, {id: on_timeout, type: api}]
                edges:
                  - {from: slow, to: next}
                  - {from: slow, to: on_timeout, mode: timeout}
                """;
        RunDriver run = new RunDriver(Defs.osop(yaml));
        run.start(Map.of());
        Command.ScheduleTimer timer = run.last.commands().stream().filter(c -> c instanceof Command.ScheduleTimer)
                .map(c -> (Command.ScheduleTimer) c).findFirst().orElseThrow();
        assertThat(timer.kind()).isEqualTo(TimerKind.NODE_TIMEOUT);
        assertThat(timer.fireAt()).isEqualTo(run.clock.instant().plusMillis(2000));
        run.clock.set(timer.fireAt());
        run.send(new RunInput.TimerFired(TimerKind.NODE_TIMEOUT, "slow", 0));
        assertThat(run.last.commands()).anySatisfy(c -> assertThat(c).isEqualTo(
                new Command.CancelNode("run-1", "slow", 0, "node_timeout")));
        assertThat(run.state.node("slow").error().code()).isEqualTo("node_timeout");
        assertThat(run.dispatchedLast()).containsExactly("on_timeout");
        assertThat(run.typesFor("next")).containsExactly("node.skipped");
        Decision late = run.send(new RunInput.NodeCompleted("slow", 0, Map.of()));
        assertThat(late.rejection().code()).isEqualTo("stale_attempt");
    }

    @Test
    void theRunTimeoutBreachesTheRunDurationCapAndFailsWithRunTimeout() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-noop.json"));
        run.start(Map.of(), new RunOptions(null, null, 5_000L, null, null));
        Command.ScheduleTimer timer = run.last.commands().stream().filter(c -> c instanceof Command.ScheduleTimer)
                .map(c -> (Command.ScheduleTimer) c).findFirst().orElseThrow();
        assertThat(timer.kind()).isEqualTo(TimerKind.RUN_TIMEOUT);
        run.clock.set(timer.fireAt());
        run.send(new RunInput.TimerFired(TimerKind.RUN_TIMEOUT, null, 0));
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("run_timeout");
        var cap = run.log.stream().filter(e -> e.type().equals("cap.breached")).findFirst().orElseThrow();
        assertThat(cap.payload()).containsEntry("kind", "run-duration").containsEntry("limit", 5000L);
        assertThat((Long) cap.payload().get("observed")).isGreaterThan(5000L);
        assertThat(run.types()).containsSubsequence("node.cancelled", "run.failed");
        assertThat(run.last.commands()).anySatisfy(c -> assertThat(c).isInstanceOf(Command.CancelNode.class));
    }

    @Test
    void aDelayNodeWaitsForItsTimerWithTheDelayFromItsVariable() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-delay.json"));
        run.start(Map.of("delayMs", 250));
        Command.ScheduleTimer timer = run.last.commands().stream().filter(c -> c instanceof Command.ScheduleTimer)
                .map(c -> (Command.ScheduleTimer) c).filter(t -> t.kind() == TimerKind.DELAY).findFirst().orElseThrow();
        assertThat(timer.fireAt()).isEqualTo(run.clock.instant().plusMillis(250));
        assertThat(run.dispatchedAll()).isEmpty();
        run.clock.set(timer.fireAt());
        run.send(new RunInput.TimerFired(TimerKind.DELAY, timer.nodeId(), timer.attempt()));
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
    }
}
