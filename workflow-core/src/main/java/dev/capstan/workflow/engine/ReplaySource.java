package dev.capstan.workflow.engine;

import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.Values;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recorded node outcomes a replay reuses instead of dispatching: (nodeId, attempt) → outputs or error.
 */
@FunctionalInterface
public interface ReplaySource {

    ReplaySource NONE = (nodeId, attempt) -> null;

    /** The recorded outcome of that attempt, or null when there is none (the node is dispatched). */
    Outcome outcome(String nodeId, int attempt);

    record Outcome(Map<String, Object> outputs, ErrorInfo error, CostTotals cost) {
    }

    /** Reads outcomes from a source run's log: node.completed and final node.failed events, keyed by attempt. */
    static ReplaySource fromLog(List<RunEvent> sourceLog) {
        Map<String, Integer> runningAttempt = new HashMap<>();
        Map<String, Outcome> outcomes = new HashMap<>();
        for (RunEvent e : sourceLog) {
            String nodeId = e.nodeId();
            switch (e.type()) {
                case EventTypes.NODE_STARTED -> runningAttempt.put(nodeId, Values.asLong(e.payload().get("attempt")).intValue());
                case EventTypes.NODE_COMPLETED -> outcomes.put(nodeId + "#" + runningAttempt.getOrDefault(nodeId, 0),
                        new Outcome(Values.asMap(e.payload().get("outputs")), null,
                                CostTotals.fromMap(Values.asMap(e.payload().get("cost")))));
                case EventTypes.NODE_FAILED -> outcomes.put(nodeId + "#" + runningAttempt.getOrDefault(nodeId, 0),
                        new Outcome(Map.of(), ErrorInfo.fromMap(Values.asMap(e.payload().get("error"))), null));
                default -> {
                }
            }
        }
        return (nodeId, attempt) -> outcomes.get(nodeId + "#" + attempt);
    }
}
