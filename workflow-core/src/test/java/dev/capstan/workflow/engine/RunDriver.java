package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives one run through the engine the way a service would: append events, keep the state, collect commands.
 * After every step it checks that the state equals the fold of the whole log.
 */
final class RunDriver {

    final WorkflowDefinition def;
    final TestClock clock = TestClock.atEpoch();
    final Engine engine;
    final List<RunEvent> log = new ArrayList<>();
    final List<Command> commands = new ArrayList<>();
    RunState state;
    Decision last;

    RunDriver(WorkflowDefinition def) {
        this(def, ReplaySource.NONE, "run-1");
    }

    RunDriver(WorkflowDefinition def, ReplaySource replay, String runId) {
        this.def = def;
        this.engine = new Engine(clock, IdSource.sequential("id"), replay, 10_000);
        this.state = RunState.initial(runId, def.id());
    }

    Decision send(RunInput input) {
        last = engine.decide(def, state, input);
        if (!last.rejected()) {
            log.addAll(last.events());
            commands.addAll(last.commands());
            state = last.state();
            assertThat(RunFold.fold(state.runId(), def.id(), log)).as("state equals the fold of the log").isEqualTo(state);
        }
        return last;
    }

    Decision start(Map<String, Object> inputs) {
        return send(new RunInput.Start(inputs, RunOptions.DEFAULTS));
    }

    Decision start(Map<String, Object> inputs, RunOptions options) {
        return send(new RunInput.Start(inputs, options));
    }

    Decision complete(String nodeId, Map<String, Object> outputs) {
        return send(new RunInput.NodeCompleted(nodeId, state.node(nodeId).attempt(), outputs));
    }

    List<String> types() {
        return log.stream().map(RunEvent::type).toList();
    }

    List<String> typesFor(String nodeId) {
        return log.stream().filter(e -> nodeId.equals(e.nodeId())).map(RunEvent::type).toList();
    }

    /** Node ids dispatched by the last decision, in order. */
    List<String> dispatchedLast() {
        return last.commands().stream().filter(c -> c instanceof Command.DispatchNode)
                .map(c -> ((Command.DispatchNode) c).nodeId()).toList();
    }

    List<String> dispatchedAll() {
        return commands.stream().filter(c -> c instanceof Command.DispatchNode)
                .map(c -> ((Command.DispatchNode) c).nodeId()).toList();
    }

    /** A resume value the interrupt's default schema accepts. */
    static Object acceptingValue(InterruptKind kind) {
        return switch (kind) {
            case APPROVAL -> Map.of("action", "accept");
            case CLARIFICATION -> Map.of("answers", Map.of("q1", "blue"));
            case EXTERNAL_EVENT -> Map.of("eventPayload", Map.of());
            case CUSTOM -> Map.of("value", 1);
        };
    }

    /**
     * Answers every command like a cooperative world (tasks succeed with the given outputs, interrupts are accepted,
     * delays and retries fire) until the run ends or {@code maxSteps} inputs were sent.
     */
    void autopilot(java.util.function.Function<Command.DispatchNode, Map<String, Object>> outputs, int maxSteps) {
        int cursor = 0;
        int steps = 0;
        while (!state.status().isTerminal() && steps < maxSteps) {
            if (cursor >= commands.size()) {
                break;
            }
            Command c = commands.get(cursor++);
            RunInput input = null;
            if (c instanceof Command.DispatchNode d) {
                input = new RunInput.NodeCompleted(d.nodeId(), d.attempt(), outputs.apply(d));
            } else if (c instanceof Command.RequestInterrupt r) {
                input = new RunInput.InterruptResolved(r.nodeId(), acceptingValue(r.kind()), "tester");
            } else if (c instanceof Command.ScheduleTimer t && (t.kind() == TimerKind.DELAY || t.kind() == TimerKind.RETRY)) {
                clock.set(t.fireAt());
                input = new RunInput.TimerFired(t.kind(), t.nodeId(), t.attempt());
            }
            if (input != null) {
                Decision d = send(input);
                assertThat(d.rejection()).as("autopilot input " + input).isNull();
                steps++;
                // A quorum gate stays open after one vote: more approvers vote until it closes.
                for (int voter = 2; c instanceof Command.RequestInterrupt r && state.interrupts().containsKey(r.nodeId())
                        && !state.interrupts().get(r.nodeId()).votes().isEmpty() && voter < 100; voter++) {
                    assertThat(send(new RunInput.InterruptResolved(r.nodeId(), acceptingValue(r.kind()), "tester-" + voter))
                            .rejection()).isNull();
                }
            }
        }
    }
}
