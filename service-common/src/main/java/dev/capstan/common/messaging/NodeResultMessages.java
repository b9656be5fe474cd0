package dev.capstan.common.messaging;

import dev.capstan.node.NodeOutcome;
import java.util.Map;

/** Builds the result message of an attempt, the same way whoever ran it (an executor, a local node). */
public final class NodeResultMessages {

    private NodeResultMessages() {
    }

    public static NodeResultMessage of(NodeDispatchMessage d, String invocationId, NodeOutcome o, long durationMs) {
        String outcome = NodeResultMessage.SUSPENDED;
        Map<String, Object> outputs = null;
        Map<String, Object> error = null;
        Map<String, Object> interrupt = null;
        Map<String, Object> variables = null;
        if (o instanceof NodeOutcome.Completed c) {
            outcome = NodeResultMessage.COMPLETED;
            outputs = c.outputs();
            variables = c.variables();
        } else if (o instanceof NodeOutcome.Failed f) {
            outcome = NodeResultMessage.FAILED;
            error = f.error().toMap();
        } else {
            interrupt = ((NodeOutcome.Suspended) o).interrupt();
        }
        return new NodeResultMessage(NodeResultMessage.VERSION, d.tenantId(), d.runId(), d.nodeId(), d.attempt(),
                invocationId, outcome, outputs, error, durationMs, o.cost(), o.http(), interrupt, null,
                System.currentTimeMillis(), variables);
    }
}
