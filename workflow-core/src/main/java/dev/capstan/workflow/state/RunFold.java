package dev.capstan.workflow.state;

import dev.capstan.workflow.event.RunEvent;
import java.util.List;

/** Run state as a left fold of the event log. */
public final class RunFold {

    private RunFold() {
    }

    public static RunState fold(String runId, String workflowId, List<RunEvent> events) {
        return foldFrom(RunState.initial(runId, workflowId), events);
    }

    /** Continues a fold: folding a prefix and then the rest equals folding the whole log. */
    public static RunState foldFrom(RunState state, List<RunEvent> events) {
        RunStateBuilder b = new RunStateBuilder(state);
        for (RunEvent e : events) {
            b.apply(e);
        }
        return b.build();
    }
}
