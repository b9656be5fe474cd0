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
 */
public record NodeState(String nodeId, NodeStatus status, int attempt, int retriesThisVisit, int executions,
                        int interrupts, Map<String, Object> outputs, ErrorInfo error, Instant startedAt,
                        Instant retryAt, String typeId) {

    public NodeState {
        outputs = Values.freezeMap(outputs);
    }

    public static NodeState idle(String nodeId) {
        return new NodeState(nodeId, NodeStatus.IDLE, -1, 0, 0, 0, Map.of(), null, null, null, null);
    }
}
