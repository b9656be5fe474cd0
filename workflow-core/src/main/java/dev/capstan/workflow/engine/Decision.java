package dev.capstan.workflow.engine;

import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.state.RunState;
import java.util.List;

/**
 * The result of one {@code decide}: events to append (in order, sequences continuing the log), commands to carry
 * out after they are stored, the state after the events, and a rejection when the input was refused.
 */
public record Decision(List<RunEvent> events, List<Command> commands, RunState state, Rejection rejection) {

    public Decision {
        events = List.copyOf(events);
        commands = List.copyOf(commands);
    }

    public boolean rejected() {
        return rejection != null;
    }
}
