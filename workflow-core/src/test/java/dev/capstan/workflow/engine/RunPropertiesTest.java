package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests over generated workflows and generated worlds (seeded, so a failing seed reproduces): random DAGs
 * with every join rule, approval gates, retries and loop-backs, driven by random completions, failures, interrupt
 * answers, timers, pauses, resumes, cancels and stale reports.
 */
class RunPropertiesTest {

    private static final String[] RULES = {"", "all_success", "any_success", "all_complete", "none_failed", "any_failed"};

    static Stream<Long> seeds() {
        return LongStream.range(1, 201).boxed();
    }

    static WorkflowDefinition randomWorkflow(Random r) {
        int n = 2 + r.nextInt(10);
        String[] nodes = new String[n];
        for (int i = 0; i < n; i++) {
            String type = r.nextInt(6) == 0 ? "core.approvalGate" : "core.task";
            String settings = r.nextInt(3) == 0 ? "{\"retry\": {\"maxRetries\": " + (1 + r.nextInt(2))
                    + ", \"backoff\": \"fixed\", \"initialDelayMs\": " + r.nextInt(2) * 500 + "}}" : "{}";
            nodes[i] = "n" + i + ":" + type + ":" + settings;
        }
        List<String> edges = new ArrayList<>();
        for (int j = 1; j < n; j++) {
            int parents = 1 + r.nextInt(Math.min(j, 3));
            String rule = RULES[r.nextInt(RULES.length)];
            List<Integer> used = new ArrayList<>();
            for (int k = 0; k < parents; k++) {
                int i = r.nextInt(j);
                if (!used.contains(i)) {
                    used.add(i);
                    edges.add("n" + i + ">n" + j + (rule.isEmpty() ? "" : "@" + rule));
                }
            }
        }
        if (n > 2 && r.nextInt(4) == 0) {
            edges.add("n" + (n - 1) + ">n" + r.nextInt(n - 1)); // loop-back, bounded by the node-execution cap
        }
        return Defs.graph("{}", nodes, edges.toArray(String[]::new));
    }

    /** An input and the clock reading it was decided at. */
    record Sent(java.time.Instant at, RunInput input) {
    }

    /** Plays a random world against the run; returns the inputs sent, in order, with their times. */
    static List<Sent> play(RunDriver run, Random r) {
        List<Sent> sent = new ArrayList<>();
        RunInput start = new RunInput.Start(Map.of("x", r.nextInt(10)), new RunOptions(null, 40, null, null, null));
        run.send(start);
        sent.add(new Sent(run.clock.instant(), start));
        int cursor = 0;
        for (int step = 0; step < 400 && !run.state.status().isTerminal(); step++) {
            RunInput input;
            int dice = r.nextInt(100);
            if (dice < 3) {
                input = new RunInput.Pause("p", r.nextBoolean() ? DrainPolicy.IMMEDIATE : DrainPolicy.DRAIN_CURRENT_NODE);
            } else if (dice < 8) {
                input = new RunInput.Resume("r");
            } else if (dice < 9) {
                input = new RunInput.Cancel("c", "tester");
            } else if (dice < 12) {
                input = new RunInput.NodeCompleted("n0", r.nextInt(5), Map.of()); // often stale
            } else if (cursor < run.commands.size()) {
                Command c = run.commands.get(r.nextInt(2) == 0 ? cursor : cursor + r.nextInt(run.commands.size() - cursor));
                cursor++;
                input = answer(c, r);
                if (input == null) {
                    continue;
                }
            } else {
                input = new RunInput.Resume("r");
            }
            run.clock.advanceMillis(r.nextInt(1_000));
            int before = run.log.size();
            Decision d = run.send(input);
            sent.add(new Sent(run.clock.instant(), input));
            if (d.rejected()) {
                assertThat(run.log).as("a rejected input adds no events").hasSize(before);
            }
        }
        if (!run.state.status().isTerminal()) {
            RunInput cancel = new RunInput.Cancel("end of test", "tester");
            run.send(cancel);
            sent.add(new Sent(run.clock.instant(), cancel));
        }
        return sent;
    }

    static RunInput answer(Command c, Random r) {
        if (c instanceof Command.DispatchNode d) {
            return switch (r.nextInt(4)) {
                case 0 -> new RunInput.NodeFailed(d.nodeId(), d.attempt(), r.nextBoolean()
                        ? ErrorInfo.retryable("flaky", "try again") : ErrorInfo.of("broken", "do not retry"));
                default -> new RunInput.NodeCompleted(d.nodeId(), d.attempt(), Map.of("v", r.nextInt(100)));
            };
        }
        if (c instanceof Command.RequestInterrupt q) {
            return switch (r.nextInt(6)) {
                case 0 -> new RunInput.InterruptResolved(q.nodeId(), Map.of("action", "reject"), "u");
                case 1 -> new RunInput.InterruptResolved(q.nodeId(), Map.of("action", "nonsense"), "u");
                case 2 -> new RunInput.InterruptResolved(q.nodeId(), Map.of("action", "refine",
                        "refineFeedback", Map.of("scope", "whole", "text", "again")), "u");
                default -> new RunInput.InterruptResolved(q.nodeId(), Map.of("action", "accept"), "u");
            };
        }
        if (c instanceof Command.ScheduleTimer t) {
            return new RunInput.TimerFired(t.kind(), t.nodeId(), t.attempt());
        }
        return null;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyRunEndsWithOneTerminalEventContiguousSequencesAndNoDoubleDispatch(long seed) {
        Random r = new Random(seed);
        RunDriver run = new RunDriver(randomWorkflow(r));
        play(run, r);
        FixtureRunTest.assertLogInvariants(run.log);
        List<String> dispatched = run.commands.stream().filter(c -> c instanceof Command.DispatchNode)
                .map(c -> ((Command.DispatchNode) c).idempotencyKey()).toList();
        assertThat(dispatched).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void foldingAnyPrefixAndThenTheRestEqualsFoldingTheWholeLog(long seed) {
        Random r = new Random(seed);
        RunDriver run = new RunDriver(randomWorkflow(r));
        play(run, r);
        List<RunEvent> log = run.log;
        RunState whole = RunFold.fold("run-1", run.def.id(), log);
        assertThat(whole).isEqualTo(run.state);
        for (int k = 0; k <= log.size(); k++) {
            RunState prefix = RunFold.fold("run-1", run.def.id(), log.subList(0, k));
            assertThat(RunFold.foldFrom(prefix, log.subList(k, log.size()))).as("split at %d", k).isEqualTo(whole);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void decidingFromAFoldedPrefixContinuesExactlyLikeTheOriginalRun(long seed) {
        Random r = new Random(seed);
        WorkflowDefinition def = randomWorkflow(r);
        RunDriver original = new RunDriver(def);
        List<Sent> inputs = play(original, r);
        // Replay the same inputs, but "crash" halfway: rebuild the state from the log alone, then continue.
        RunDriver again = new RunDriver(def);
        int crashAt = inputs.size() / 2;
        for (int i = 0; i < inputs.size(); i++) {
            if (i == crashAt) {
                again.state = RunFold.fold("run-1", def.id(), again.log);
            }
            again.clock.set(inputs.get(i).at());
            again.send(inputs.get(i).input());
        }
        assertThat(again.log).isEqualTo(original.log);
        assertThat(again.state.status()).isEqualTo(original.state.status());
    }
}
