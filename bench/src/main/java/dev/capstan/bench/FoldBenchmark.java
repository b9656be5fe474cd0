package dev.capstan.bench;

import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code RunFold.fold} over logs of {@code events} events. Each log is the first {@code events} events of a chain run
 * the engine drove to completion, so the state (node map, outputs) grows with the log as it does in a real run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FoldBenchmark {

    static final String RUN_ID = "bench-fold";

    /** Up to a million: past the caches the time per event must stay flat if the fold is linear. */
    @Param({"1000", "10000", "100000", "1000000"})
    public int events;

    /**
     * {@code same}: every operation folds the same log, so a small log stays in the CPU caches between operations
     * and a large one cannot. {@code cold}: operations take turns over distinct copies of the log, together at least
     * {@link #COLD_EVENTS} events, so no size finds its input in the caches — as with a log just read from storage —
     * and sizes compare on equal terms.
     */
    @Param({"same", "cold"})
    public String input;

    /** Events across the copies of the {@code cold} input: some 150 MB, several times the 32 MiB L3 cache. */
    static final int COLD_EVENTS = 400_000;

    private Log log;
    private List<List<RunEvent>> copies;
    private int next;

    /** A run's event log and the id of the workflow it ran. */
    public record Log(String workflowId, List<RunEvent> events) {
    }

    /**
     * A log of exactly {@code events} events taken from the front of a completed chain run (a prefix of a log is a
     * valid log: the engine folds prefixes when it forks).
     */
    public static Log logOf(int events) {
        // A chain node writes node.started and node.completed; one node more than needed covers run.started/completed.
        WorkflowDefinition def = Workflows.chain(events / 2 + 1);
        List<RunEvent> whole = RunDriver.completeRun(def, RUN_ID).log();
        if (whole.size() < events) {
            throw new IllegalStateException("the run wrote " + whole.size() + " events, fewer than " + events);
        }
        return new Log(def.id(), List.copyOf(whole.subList(0, events)));
    }

    @Setup(Level.Trial)
    public void setUp() {
        log = logOf(events);
        copies = new ArrayList<>();
        if (input.equals("cold")) {
            for (int i = 0; i < (COLD_EVENTS + events - 1) / events; i++) {
                copies.add(deepCopy(log.events()));
            }
        } else {
            copies.add(log.events());
        }
    }

    @Benchmark
    public RunState fold() {
        List<RunEvent> events = copies.get(next);
        next = next + 1 == copies.size() ? 0 : next + 1;
        return RunFold.fold(RUN_ID, log.workflowId(), events);
    }

    /** The same events as new objects (values too; map keys are shared), so folding a copy reads nothing of another. */
    static List<RunEvent> deepCopy(List<RunEvent> events) {
        List<RunEvent> out = new ArrayList<>(events.size());
        for (RunEvent e : events) {
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = (Map<String, Object>) thaw(e.payload());
            out.add(new RunEvent(new String(e.eventId()), new String(e.runId()), e.sequence(), new String(e.type()),
                    Instant.ofEpochSecond(e.timestamp().getEpochSecond(), e.timestamp().getNano()),
                    e.nodeId() == null ? null : new String(e.nodeId()), payload));
        }
        return List.copyOf(out);
    }

    private static Object thaw(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), thaw(x))); // keys shared, as a JSON reader interns them
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(thaw(x)));
            return out;
        }
        return v instanceof String str ? new String(str) : v;
    }
}
