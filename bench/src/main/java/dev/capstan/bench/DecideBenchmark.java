package dev.capstan.bench;

import dev.capstan.workflow.engine.Decision;
import dev.capstan.workflow.engine.Engine;
import dev.capstan.workflow.engine.IdSource;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunState;
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
 * {@code Engine.decide} on generated workflows: one decision in the middle of a run (half the nodes completed, the
 * next completion arriving), and a whole run driven from start to {@code completed}, one decision per node.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecideBenchmark {

    @Param({"100", "1000", "10000"})
    public int nodes;

    @Param({"CHAIN", "FANOUT"})
    public Workflows.Shape shape;

    private WorkflowDefinition def;
    private Engine engine;
    private MidRun midRun;

    /** The state of a run with half its nodes completed and the input that would arrive next. */
    public record MidRun(RunState state, RunInput next) {
    }

    public static MidRun midRun(WorkflowDefinition def, int nodes) {
        RunDriver driver = new RunDriver(def, "bench-mid");
        driver.send(RunDriver.start());
        driver.runUntilCompletions(nodes / 2);
        RunInput next = driver.nextInput();
        if (next == null) {
            throw new IllegalStateException("nothing outstanding after " + driver.completions() + " completions");
        }
        return new MidRun(driver.state(), next);
    }

    @Setup(Level.Trial)
    public void setUp() {
        def = Workflows.generate(shape, nodes);
        midRun = midRun(def, nodes);
        engine = new Engine(RunDriver.CLOCK, IdSource.sequential("bench"));
    }

    /** One decision on a half-finished run: the state is never changed, so every call does the same work. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Decision decideOneStepMidRun() {
        return engine.decide(def, midRun.state(), midRun.next());
    }

    /** Start plus one completion per node until the run is {@code completed}; the log is kept in memory. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public RunState fullRun() {
        return RunDriver.completeRun(def, "bench-full").state();
    }
}
