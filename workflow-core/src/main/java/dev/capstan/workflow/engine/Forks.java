package dev.capstan.workflow.engine;

import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenWOP fork: copy the source's events before {@code fromSeq} into a new run (same event ids: recorded facts
 * keep their ids), record the fork, and continue with {@link RunInput.Reconcile}. A replay fork passes
 * {@link #recordedOutcomes} to its engine so recorded node outcomes are reused instead of dispatched; a branch fork
 * re-executes with the run-option overlay.
 */
public final class Forks {

    public enum Mode { REPLAY, BRANCH }

    /** The new run's first events and its state; {@code rejection} is set when the fork is not possible. */
    public record Fork(List<RunEvent> events, RunState state, Rejection rejection) {
        public Fork {
            events = List.copyOf(events);
        }
    }

    private Forks() {
    }

    public static Fork fork(Mode mode, String sourceRunId, String workflowId, List<RunEvent> sourceLog, long fromSeq,
                            String newRunId, RunOptions overlay, Instant at, IdSource ids) {
        if (fromSeq < 0) {
            return rejected("validation_error", "fromSeq must not be negative.");
        }
        if (fromSeq > sourceLog.size()) {
            return rejected("validation_error", "fromSeq " + fromSeq + " is past the end of the log (" + sourceLog.size()
                    + " events).");
        }
        if (mode == Mode.REPLAY && overlay != null && !overlay.toMap().isEmpty()) {
            return rejected("validation_error", "A replay fork takes no run-option overlay; use a branch fork.");
        }
        if (fromSeq == 0) {
            return rejected("validation_error", "A fork needs at least the run.started event (fromSeq >= 1); to rerun"
                    + " from scratch, start a new run with the same inputs.");
        }
        List<RunEvent> events = new ArrayList<>();
        for (RunEvent e : sourceLog.subList(0, (int) fromSeq)) {
            if (e.isTerminal()) {
                return rejected("validation_error", "The prefix ends the run (event " + e.sequence() + " is "
                        + e.type() + "); fork from an earlier sequence.");
            }
            events.add(e.withRunId(newRunId));
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sourceRunId", sourceRunId);
        p.put("fromSeq", fromSeq);
        p.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        p.put("optionsOverlay", overlay == null ? Map.of() : overlay.toMap());
        events.add(new RunEvent(ids.nextId(), newRunId, fromSeq, EventTypes.RUN_FORKED, at, null, p));
        return new Fork(events, RunFold.fold(newRunId, workflowId, events), null);
    }

    /** Outcomes a replay reuses: the source's recorded node results. */
    public static ReplaySource recordedOutcomes(List<RunEvent> sourceLog) {
        return ReplaySource.fromLog(sourceLog);
    }

    private static Fork rejected(String code, String message) {
        return new Fork(List.of(), null, Rejection.of(code, message));
    }
}
