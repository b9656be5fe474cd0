package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.load.OsopLoader;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based tests (jqwik) of the decider over generated OSOP workflows — random DAGs whose edges are
 * sequential, parallel (with wait_all / wait_any / wait_n joins), conditional, fallback, error, event and bounded loop
 * edges, with approval gates and retry policies — driven by generated worlds: results arriving in any order,
 * duplicated, stale or for attempts that never ran, timers firing, pauses, resumes and cancels at random points.
 * A failing case shrinks to a small workflow and a short world; jqwik prints its seed.
 */
class GeneratedRunPropertiesTest {

    private static final int TRIES = 300;

    // ------------------------------------------------------------------ generated workflows

    /** One generated edge: {@code from -> to} with an OSOP mode and, where the mode takes one, a threshold. */
    record EdgeSpec(int from, int to, String mode, int threshold, String join) {
    }

    /** A generated workflow: node kinds by index and its edges (forward edges from lower to higher index). */
    record Spec(List<String> kinds, List<EdgeSpec> edges, List<Integer> retries, boolean loop, int loopFrom,
                int loopTo) {

        String yaml() {
            StringBuilder y = new StringBuilder("osop_version: \"1.1\"\nid: generated\nname: generated\nnodes:\n");
            for (int i = 0; i < kinds.size(); i++) {
                y.append("  - id: n").append(i).append("\n    type: ").append(kinds.get(i)).append('\n')
                        .append("    purpose: generated\n");
                if (retries.get(i) > 0 && !"human".equals(kinds.get(i))) {
                    y.append("    retry_policy: {max_retries: ").append(retries.get(i))
                            .append(", strategy: fixed, backoff_sec: 0}\n");
                }
            }
            y.append("edges:\n");
            for (EdgeSpec e : edges) {
                y.append("  - from: n").append(e.from()).append("\n    to: n").append(e.to()).append("\n    mode: ")
                        .append(e.mode()).append('\n');
                if (e.mode().equals("conditional") || e.mode().equals("error")) {
                    y.append("    when: \"inputs.x > ").append(e.threshold()).append("\"\n");
                }
                if (!e.join().isEmpty()) {
                    y.append("    join_mode: ").append(e.join()).append('\n');
                    if (e.join().equals("wait_n")) {
                        y.append("    join_count: 1\n");
                    }
                }
            }
            if (loop) {
                y.append("  - from: n").append(loopFrom).append("\n    to: n").append(loopTo)
                        .append("\n    mode: loop\n    when: \"inputs.x > 2\"\n    x-max_iterations: 2\n");
            }
            return y.toString();
        }
    }

    @Provide
    Arbitrary<Spec> workflows() {
        return Arbitraries.integers().between(2, 9).flatMap(n -> {
            Arbitrary<List<String>> kinds = Arbitraries.of("agent", "api", "cli", "agent", "human").list().ofSize(n);
            Arbitrary<List<Integer>> retries = Arbitraries.integers().between(0, 2).list().ofSize(n);
            // Node j (j >= 1) gets 1..3 parents among 0..j-1; the first keeps a success-path mode so every node
            // stays reachable on some path, the others may be any mode.
            List<Arbitrary<List<EdgeSpec>>> perNode = new ArrayList<>();
            for (int j = 1; j < n; j++) {
                int target = j;
                Arbitrary<String> join = Arbitraries.of("", "", "wait_all", "wait_any", "wait_n");
                Arbitrary<EdgeSpec> first = Combinators.combine(Arbitraries.integers().between(0, j - 1),
                        Arbitraries.of("sequential", "parallel", "conditional"), Arbitraries.integers().between(0, 9), join)
                        .as((from, mode, t, jm) -> new EdgeSpec(from, target, mode, t, jm));
                Arbitrary<EdgeSpec> more = Combinators.combine(Arbitraries.integers().between(0, j - 1),
                        Arbitraries.of("sequential", "parallel", "conditional", "fallback", "error", "event"),
                        Arbitraries.integers().between(0, 9), join)
                        .as((from, mode, t, jm) -> new EdgeSpec(from, target, mode, t, jm));
                perNode.add(Combinators.combine(first, more.list().ofMaxSize(2)).as((f, m) -> {
                    List<EdgeSpec> all = new ArrayList<>();
                    Set<Integer> used = new HashSet<>();
                    for (EdgeSpec e : concat(f, m)) {
                        if (used.add(e.from())) {
                            // One join rule per target: the first edge's rule applies to all of them.
                            all.add(new EdgeSpec(e.from(), e.to(), e.mode(), e.threshold(), f.join()));
                        }
                    }
                    return all;
                }));
            }
            Arbitrary<List<EdgeSpec>> edges = perNode.isEmpty() ? Arbitraries.just(List.of())
                    : Combinators.combine(perNode).as(lists -> lists.stream().flatMap(List::stream).toList());
            Arbitrary<Boolean> loop = n > 2 ? Arbitraries.of(true, false, false) : Arbitraries.just(false);
            return Combinators.combine(kinds, edges, retries, loop, Arbitraries.integers().between(0, n - 2))
                    .as((k, e, r, l, to) -> new Spec(k, e, r, l, n - 1, Math.min(to, n - 2)));
        });
    }

    private static List<EdgeSpec> concat(EdgeSpec first, List<EdgeSpec> more) {
        List<EdgeSpec> all = new ArrayList<>();
        all.add(first);
        all.addAll(more);
        return all;
    }

    static WorkflowDefinition load(Spec spec) {
        LoadResult<WorkflowDefinition> r = new OsopLoader(NodeTypeRegistry.acceptAll()).load(spec.yaml());
        assertThat(r.problems().stream().filter(p -> p.isError()).toList()).as("generated workflow loads:\n%s", spec.yaml())
                .isEmpty();
        return r.orThrow();
    }

    // ------------------------------------------------------------------ generated worlds

    /** An input and the clock reading it was decided at. */
    record Sent(Instant at, RunInput input) {
    }

    /**
     * Plays a world against the run. Each choice picks what happens next: mostly answering one of the commands
     * issued so far (any of them, so results arrive in any order, and again, so duplicates and stale results
     * arrive), sometimes a pause, resume, cancel (immediate or draining) or a report for an attempt that never ran.
     */
    static List<Sent> play(RunDriver run, int x, List<Integer> choices) {
        List<Sent> sent = new ArrayList<>();
        RunInput start = new RunInput.Start(Map.of("x", x), new RunOptions(null, 60, null, null, null));
        send(run, sent, start);
        int answered = 0;
        for (int c : choices) {
            if (run.state.status().isTerminal()) {
                break;
            }
            RunInput input;
            int kind = c % 100;
            int pick = c / 100;
            if (kind < 3) {
                input = new RunInput.Pause("p", pick % 2 == 0 ? DrainPolicy.IMMEDIATE : DrainPolicy.DRAIN_CURRENT_NODE);
            } else if (kind < 8) {
                input = new RunInput.Resume("r");
            } else if (kind < 10) {
                // Half the cancels drain: the run is cancelling until its in-flight nodes report.
                input = new RunInput.Cancel("c", "tester", pick % 2 == 0);
            } else if (kind < 13) {
                input = new RunInput.NodeCompleted("n" + pick % 9, pick % 4, Map.of()); // usually stale or unknown
            } else if (kind < 20 && answered > 0) {
                // A duplicate of an earlier answer: must be refused or change nothing twice.
                input = answerTo(run.commands.get(pick % Math.min(answered, run.commands.size())), pick);
            } else if (!run.commands.isEmpty()) {
                // Mostly the oldest unanswered command, otherwise any later one: results arrive out of order.
                int i = kind < 60 ? Math.min(answered, run.commands.size() - 1)
                        : answered + pick % Math.max(1, run.commands.size() - answered);
                i = Math.min(i, run.commands.size() - 1);
                answered = Math.max(answered, i + 1);
                input = answerTo(run.commands.get(i), pick);
            } else {
                input = new RunInput.Resume("r");
            }
            if (input == null) {
                continue;
            }
            run.clock.advanceMillis(pick % 700);
            send(run, sent, input);
        }
        if (!run.state.status().isTerminal()) {
            send(run, sent, new RunInput.Cancel("end of world", "tester"));
        }
        return sent;
    }

    private static void send(RunDriver run, List<Sent> sent, RunInput input) {
        int before = run.log.size();
        Decision d = run.send(input);
        sent.add(new Sent(run.clock.instant(), input));
        if (d.rejected()) {
            assertThat(run.log).as("a refused input appends nothing").hasSize(before);
            assertThat(d.events()).isEmpty();
        }
    }

    static RunInput answerTo(Command c, int pick) {
        if (c instanceof Command.DispatchNode d) {
            return switch (pick % 5) {
                case 0 -> new RunInput.NodeFailed(d.nodeId(), d.attempt(), ErrorInfo.retryable("flaky", "try again"));
                case 1 -> new RunInput.NodeFailed(d.nodeId(), d.attempt(), ErrorInfo.of("broken", "do not retry"));
                default -> new RunInput.NodeCompleted(d.nodeId(), d.attempt(), Map.of("v", pick % 10));
            };
        }
        if (c instanceof Command.RequestInterrupt q) {
            return new RunInput.InterruptResolved(q.nodeId(), Map.of("action", pick % 4 == 0 ? "reject" : "accept"), "u");
        }
        if (c instanceof Command.ScheduleTimer t) {
            return new RunInput.TimerFired(t.kind(), t.nodeId(), t.attempt());
        }
        return null;
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void exactlyOneTerminalEventAndItIsLast(@ForAll("workflows") Spec spec, @ForAll @IntRange(max = 9) int x,
                                           @ForAll @Size(max = 120) List<@IntRange(max = 9_999) Integer> world) {
        RunDriver run = new RunDriver(load(spec));
        play(run, x, world);
        List<RunEvent> terminal = run.log.stream().filter(RunEvent::isTerminal).toList();
        assertThat(terminal).hasSize(1);
        assertThat(run.log.get(run.log.size() - 1)).isEqualTo(terminal.get(0));
        assertThat(run.state.status().isTerminal()).isTrue();
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void sequencesStartAtZeroAndAreContiguous(@ForAll("workflows") Spec spec, @ForAll @IntRange(max = 9) int x,
                                             @ForAll @Size(max = 120) List<@IntRange(max = 9_999) Integer> world) {
        RunDriver run = new RunDriver(load(spec));
        play(run, x, world);
        for (int i = 0; i < run.log.size(); i++) {
            assertThat(run.log.get(i).sequence()).as("event %d", i).isEqualTo(i);
        }
        assertThat(run.state.nextSequence()).isEqualTo(run.log.size());
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void noNodeIsDispatchedTwiceForTheSameAttempt(@ForAll("workflows") Spec spec, @ForAll @IntRange(max = 9) int x,
                                                 @ForAll @Size(max = 120) List<@IntRange(max = 9_999) Integer> world) {
        RunDriver run = new RunDriver(load(spec));
        play(run, x, world);
        List<String> dispatches = run.commands.stream().filter(c -> c instanceof Command.DispatchNode)
                .map(c -> ((Command.DispatchNode) c).nodeId() + "#" + ((Command.DispatchNode) c).attempt()).toList();
        assertThat(dispatches).doesNotHaveDuplicates();
        List<String> starts = run.log.stream().filter(e -> e.type().equals("node.started"))
                .map(e -> e.nodeId() + "#" + e.payload().get("attempt")).toList();
        assertThat(starts).doesNotHaveDuplicates();
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void foldingAPrefixThenTheRestEqualsFoldingTheWholeLog(@ForAll("workflows") Spec spec,
                                                          @ForAll @IntRange(max = 9) int x,
                                                          @ForAll @Size(max = 120) List<@IntRange(max = 9_999) Integer> world,
                                                          @ForAll @IntRange(max = 1_000) int split) {
        RunDriver run = new RunDriver(load(spec));
        play(run, x, world);
        List<RunEvent> log = run.log;
        RunState whole = RunFold.fold("run-1", run.def.id(), log);
        assertThat(whole).isEqualTo(run.state);
        int k = split % (log.size() + 1);
        RunState prefix = RunFold.fold("run-1", run.def.id(), log.subList(0, k));
        assertThat(RunFold.foldFrom(prefix, log.subList(k, log.size()))).isEqualTo(whole);
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void decidingOnFromAFoldedPrefixContinuesExactlyAsTheOriginalRun(
            @ForAll("workflows") Spec spec, @ForAll @IntRange(max = 9) int x,
            @ForAll @Size(max = 120) List<@IntRange(max = 9_999) Integer> world, @ForAll @IntRange(max = 1_000) int crash) {
        WorkflowDefinition def = load(spec);
        RunDriver original = new RunDriver(def);
        List<Sent> inputs = play(original, x, world);
        // The same inputs again, but the service "crashes" once: the state is rebuilt from the log alone.
        RunDriver again = new RunDriver(def);
        int crashAt = crash % inputs.size();
        for (int i = 0; i < inputs.size(); i++) {
            if (i == crashAt) {
                again.state = RunFold.fold("run-1", def.id(), again.log);
            }
            again.clock.set(inputs.get(i).at());
            again.send(inputs.get(i).input());
        }
        assertThat(again.log).isEqualTo(original.log);
        assertThat(again.state).isEqualTo(original.state);
    }
}
