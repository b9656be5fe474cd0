package dev.capstan.run.service;

import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.error.ErrorInfo;
import java.util.Map;

/** Turns a node result (from an executor over Kafka, or from a local node) into the engine's input. */
public final class NodeResultInputs {

    private NodeResultInputs() {
    }

    /** The input for a completed or failed attempt; null for outcomes the engine takes no input for. */
    @SuppressWarnings("unchecked")
    public static RunInput toInput(NodeResultMessage result) {
        CostTotals cost = cost(result.cost());
        return switch (result.outcome()) {
            case NodeResultMessage.COMPLETED -> new RunInput.NodeCompleted(result.nodeId(), result.attempt(),
                    result.outputs() == null ? Map.of() : result.outputs(), cost,
                    result.variables() == null ? Map.of() : result.variables());
            case NodeResultMessage.FAILED -> {
                Map<String, Object> error = result.error() == null ? Map.of() : result.error();
                yield new RunInput.NodeFailed(result.nodeId(), result.attempt(), new ErrorInfo(
                        String.valueOf(error.getOrDefault("code", "node_failed")),
                        String.valueOf(error.getOrDefault("message", "The node failed.")),
                        (Map<String, Object>) error.getOrDefault("details", Map.of()),
                        Boolean.TRUE.equals(error.get("retryable"))), cost);
            }
            default -> null;
        };
    }

    private static CostTotals cost(Map<String, Object> cost) {
        if (cost == null) {
            return null;
        }
        return new CostTotals(number(cost.get("usd")).doubleValue(), number(cost.get("inputTokens")).longValue(),
                number(cost.get("outputTokens")).longValue());
    }

    private static Number number(Object value) {
        return value instanceof Number n ? n : 0;
    }
}
