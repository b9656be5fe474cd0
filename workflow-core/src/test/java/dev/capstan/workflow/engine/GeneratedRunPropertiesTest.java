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
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests of the decider over generated OSOP workflows — random DAGs whose edges are
 * sequential, parallel (with wait_all / wait_any / wait_n joins), conditional, fallback, error, event and bounded loop
 * edges, with approval gates and retry policies — driven by generated worlds: results arriving in any order,
 * duplicated, stale or for attempts that never ran, timers firing, pauses, resumes and cancels at random points.
 * Each property checks {@value #TRIES} cases generated from fixed seeds with {@link SplittableRandom}; a failure
 * prints the seed, the workflow and the world, and {@code -Dcapstan.seed=<seed>} reruns just that case (no shrinking).
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

    private static final String[] KINDS = {"agent", "api", "cli", "agent", "human"};
    private static final String[] JOINS = {"", "", "wait_all", "wait_any", "wait_n"};
    private static final String[] FIRST_MODES = {"sequential", "parallel", "conditional"};
    private static final String[] MORE_MODES = {"sequential", "parallel", "conditional", "fallback", "error", "event"};

    private static String pick(SplittableRandom r, String[] choices) {
        return choices[r.nextInt(choices.length)];
    }

    /** A generated workflow of 2..9 nodes. */
    static Spec generateWorkflow(SplittableRandom r) {
        int n = r.nextInt(2, 10);
        List<String> kinds = new ArrayList<>();
        List<Integer> retries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            kinds.add(pick(r, KINDS));
        }
        for (int i = 0; i < n; i++) {
            retries.add(r.nextInt(3));
        }
        // Node j (j >= 1) gets 1..3 parents among 0..j-1; the first keeps a success-path mode so every node
        // stays reachable on some path, the others may be any mode.
        List<EdgeSpec> edges = new ArrayList<>();
        for (int j = 1; j < n; j++) {
            EdgeSpec first = new EdgeSpec(r.nextInt(j), j, pick(r, FIRST_MODES), r.nextInt(10), pick(r, JOINS));
            List<EdgeSpec> more = new ArrayList<>();
            for (int m = r.nextInt(3); m > 0; m--) {
                more.add(new EdgeSpec(r.nextInt(j), j, pick(r, MORE_MODES), r.nextInt(10), pick(r, JOINS)));
            }
            Set<Integer> used = new HashSet<>();
            for (EdgeSpec e : concat(first, more)) {
                if (used.add(e.from())) {
                    // One join rule per target: the first edge's rule applies to all of them.
                    edges.add(new EdgeSpec(e.from(), e.to(), e.mode(), e.threshold(), first.join()));
                }
            }
        }
        boolean loop = n > 2 && r.nextInt(3) == 0;
        int loopTo = r.nextInt(n - 1);
        return new Spec(kinds, edges, retries, loop, n - 1, Math.min(loopTo, n - 2));
    }

    /**
     * A generated world: up to 120 choices in 0..9999 (see {@link #play}). Most worlds are short (up to 32 choices,
     * empty ones included); one in ten may be as long as 120.
     */
    static List<Integer> generateWorld(SplittableRandom r) {
        int size = r.nextInt(10) == 0 ? r.nextInt(121) : r.nextInt(33);
        List<Integer> world = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            world.add(r.nextInt(10_000));
        }
        return world;
    }

    /** One generated case: a workflow, the input {@code x}, a world and a number for the property's own use. */
    record Case(long seed, Spec spec, int x, List<Integer> world, int extra) {

        static Case generate(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            Spec spec = generateWorkflow(r);
            int x = r.nextInt(10);
            List<Integer> world = generateWorld(r);
            return new Case(seed, spec, x, world, r.nextInt(1_001));
        }

        String describe() {
            return "seed " + seed + " (rerun just this case with -D" + SEED_PROPERTY + "=" + seed + "), x=" + x
                    + ", extra=" + extra + ", world=" + world + ", workflow:\n" + spec.yaml();
        }
    }

    /** Set to a seed to run only that case in every property (e.g. with -Dtest=GeneratedRunPropertiesTest#...). */
    static final String SEED_PROPERTY = "capstan.seed";

    /**
     * Checks a property over {@link #TRIES} cases with seeds {@code base .. base + TRIES - 1} (each property has its
     * own base, so the properties see different cases). A failure names the seed and the generated case.
     */
    static void forAllCases(long base, Consumer<Case> property) {
        String only = System.getProperty(SEED_PROPERTY);
        long[] seeds = only != null && !only.isBlank() ? new long[] {Long.parseLong(only.trim())}
                : LongStream.range(base, base + TRIES).toArray();
        for (long seed : seeds) {
            Case c = Case.generate(seed);
            try {
                property.accept(c);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed for " + c.describe() + "\n" + e.getMessage(), e);
            }
        }
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
            String action = pick % 4 == 0 ? "reject" : pick % 7 == 3 ? "refine" : "accept";
            return new RunInput.InterruptResolved(q.nodeId(), Map.of("action", action), "u");
        }
        if (c instanceof Command.ScheduleTimer t) {
            return new RunInput.TimerFired(t.kind(), t.nodeId(), t.attempt());
        }
        return null;
    }

    // ------------------------------------------------------------------ properties

    @Test
    void exactlyOneTerminalEventAndItIsLast() {
        forAllCases(1_000_000L, c -> {
            RunDriver run = new RunDriver(load(c.spec()));
            play(run, c.x(), c.world());
            List<RunEvent> terminal = run.log.stream().filter(RunEvent::isTerminal).toList();
            assertThat(terminal).hasSize(1);
            assertThat(run.log.get(run.log.size() - 1)).isEqualTo(terminal.get(0));
            assertThat(run.state.status().isTerminal()).isTrue();
        });
    }

    @Test
    void sequencesStartAtZeroAndAreContiguous() {
        forAllCases(2_000_000L, c -> {
            RunDriver run = new RunDriver(load(c.spec()));
            play(run, c.x(), c.world());
            for (int i = 0; i < run.log.size(); i++) {
                assertThat(run.log.get(i).sequence()).as("event %d", i).isEqualTo(i);
            }
            assertThat(run.state.nextSequence()).isEqualTo(run.log.size());
        });
    }

    @Test
    void noNodeIsDispatchedTwiceForTheSameAttempt() {
        forAllCases(3_000_000L, c -> {
            RunDriver run = new RunDriver(load(c.spec()));
            play(run, c.x(), c.world());
            List<String> dispatches = run.commands.stream().filter(cmd -> cmd instanceof Command.DispatchNode)
                    .map(cmd -> ((Command.DispatchNode) cmd).nodeId() + "#" + ((Command.DispatchNode) cmd).attempt())
                    .toList();
            assertThat(dispatches).doesNotHaveDuplicates();
            List<String> starts = run.log.stream().filter(e -> e.type().equals("node.started"))
                    .map(e -> e.nodeId() + "#" + e.payload().get("attempt")).toList();
            assertThat(starts).doesNotHaveDuplicates();
        });
    }

    @Test
    void foldingAPrefixThenTheRestEqualsFoldingTheWholeLog() {
        forAllCases(4_000_000L, c -> {
            RunDriver run = new RunDriver(load(c.spec()));
            play(run, c.x(), c.world());
            List<RunEvent> log = run.log;
            RunState whole = RunFold.fold("run-1", run.def.id(), log);
            assertThat(whole).isEqualTo(run.state);
            int k = c.extra() % (log.size() + 1); // the split point
            RunState prefix = RunFold.fold("run-1", run.def.id(), log.subList(0, k));
            assertThat(RunFold.foldFrom(prefix, log.subList(k, log.size()))).isEqualTo(whole);
        });
    }

    @Test
    void decidingOnFromAFoldedPrefixContinuesExactlyAsTheOriginalRun() {
        forAllCases(5_000_000L, c -> {
            WorkflowDefinition def = load(c.spec());
            RunDriver original = new RunDriver(def);
            List<Sent> inputs = play(original, c.x(), c.world());
            // The same inputs again, but the service "crashes" once: the state is rebuilt from the log alone.
            RunDriver again = new RunDriver(def);
            int crashAt = c.extra() % inputs.size();
            for (int i = 0; i < inputs.size(); i++) {
                if (i == crashAt) {
                    again.state = RunFold.fold("run-1", def.id(), again.log);
                }
                again.clock.set(inputs.get(i).at());
                again.send(inputs.get(i).input());
            }
            assertThat(again.log).isEqualTo(original.log);
            assertThat(again.state).isEqualTo(original.state);
        });
    }
}
