package dev.capstan.bench;

import dev.capstan.workflow.engine.Command;
import dev.capstan.workflow.engine.Decision;
import dev.capstan.workflow.engine.Engine;
import dev.capstan.workflow.engine.IdSource;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Drives one run through the real engine the way a service would: append the decision's events, keep the state,
 * answer every dispatch with a successful completion (in dispatch order) until the run ends. No I/O.
 */
public final class RunDriver {

    /** Above any node count used here, so the node-execution cap never ends a benchmark run early. */
    public static final int NODE_EXECUTION_LIMIT = 1_000_000;
    public static final RunOptions OPTIONS = new RunOptions(NODE_EXECUTION_LIMIT, NODE_EXECUTION_LIMIT, null, null, null);
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final WorkflowDefinition def;
    private final Engine engine;
    private final List<RunEvent> log = new ArrayList<>();
    private final Deque<Command.DispatchNode> pending = new ArrayDeque<>();
    private RunState state;
    private int completions;

    public RunDriver(WorkflowDefinition def, String runId) {
        this.def = def;
        this.engine = new Engine(CLOCK, IdSource.sequential(runId));
        this.state = RunState.initial(runId, def.id());
    }

    public static RunInput start() {
        return new RunInput.Start(Map.of(), OPTIONS);
    }

    /** The completion an executor would report for a dispatch; the output is small but not empty. */
    public static RunInput completionOf(Command.DispatchNode d) {
        return new RunInput.NodeCompleted(d.nodeId(), d.attempt(), Map.of("value", d.nodeId()));
    }

    public Decision send(RunInput input) {
        Decision d = engine.decide(def, state, input);
        if (d.rejected()) {
            throw new IllegalStateException("engine rejected " + input + ": " + d.rejection());
        }
        log.addAll(d.events());
        for (Command c : d.commands()) {
            if (c instanceof Command.DispatchNode dispatch) {
                pending.add(dispatch);
            }
        }
        state = d.state();
        return d;
    }

    /** The next input the world would send: the completion of the oldest outstanding dispatch, or null. */
    public RunInput nextInput() {
        Command.DispatchNode d = pending.peek();
        return d == null ? null : completionOf(d);
    }

    /** Sends {@link #nextInput()}; false when nothing is outstanding. */
    public boolean step() {
        Command.DispatchNode d = pending.poll();
        if (d == null) {
            return false;
        }
        send(completionOf(d));
        completions++;
        return true;
    }

    /** Completes dispatches until {@code count} nodes have completed in total (or nothing is outstanding). */
    public RunDriver runUntilCompletions(int count) {
        while (completions < count && step()) {
            // each step appends one decision
        }
        return this;
    }

    public RunDriver runToEnd() {
        while (!state.status().isTerminal() && step()) {
            // each step appends one decision
        }
        return this;
    }

    public RunState state() {
        return state;
    }

    public List<RunEvent> log() {
        return log;
    }

    public int completions() {
        return completions;
    }

    /** Starts and completes a whole run of {@code def}; returns the driver holding its log and final state. */
    public static RunDriver completeRun(WorkflowDefinition def, String runId) {
        RunDriver driver = new RunDriver(def, runId);
        driver.send(start());
        return driver.runToEnd();
    }
}
