package dev.capstan.bench;

import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunState;
import java.util.List;
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

    @Param({"1000", "10000", "100000"})
    public int events;

    private Log log;

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
    }

    @Benchmark
    public RunState fold() {
        return RunFold.fold(RUN_ID, log.workflowId(), log.events());
    }
}
