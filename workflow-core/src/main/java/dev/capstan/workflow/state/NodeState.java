package dev.capstan.workflow.state;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.Values;
import java.time.Instant;
import java.util.Map;

/**
 * One node's state in a run.
 *
 * @param attempt          the last attempt started (0-based, across visits and retries); -1 before the first
 * @param retriesThisVisit retries used in the current visit (loop re-entry resets it)
 * @param executions       how many times the node was started in this run
 * @param interrupts       interrupts requested for this node so far (for the interrupt key)
 * @param retryAt          when a node in RETRY_WAIT may be dispatched again
 * @param endedAt          when its last attempt completed or failed (null while it has not)
 */
public record NodeState(String nodeId, NodeStatus status, int attempt, int retriesThisVisit, int executions,
                        int interrupts, Map<String, Object> outputs, ErrorInfo error, Instant startedAt,
                        Instant retryAt, String typeId, Instant endedAt) {

    public NodeState {
        outputs = Values.freezeMap(outputs);
    }

    /** A node state that has not ended (the signature before {@code endedAt} was added). */
    public NodeState(String nodeId, NodeStatus status, int attempt, int retriesThisVisit, int executions,
                     int interrupts, Map<String, Object> outputs, ErrorInfo error, Instant startedAt,
                     Instant retryAt, String typeId) {
        this(nodeId, status, attempt, retriesThisVisit, executions, interrupts, outputs, error, startedAt, retryAt,
                typeId, null);
    }

    public static NodeState idle(String nodeId) {
        return new NodeState(nodeId, NodeStatus.IDLE, -1, 0, 0, 0, Map.of(), null, null, null, null);
    }
}
