package dev.capstan.node;

import java.util.Map;

/**
 * One attempt of one node, as a handler sees it, whoever runs it (an executor reading the dispatch topic,
 * run-service running a local node, the CLI). {@code invocationId} identifies the attempt across redeliveries
 * and is sent as {@code Idempotency-Key} on side-effecting calls.
 *
 * @param options run options the handlers read: {@code allowExec}, {@code mockProvider}, BYOK {@code ai.*}
 */
public record NodeInvocation(String tenantId, String runId, String nodeId, String typeId, int attempt,
                             String invocationId, Map<String, Object> inputs, Map<String, Object> config,
                             Long timeoutMs, Map<String, Object> options) {

    public NodeInvocation {
        inputs = inputs == null ? Map.of() : inputs;
        config = config == null ? Map.of() : config;
        options = options == null ? Map.of() : options;
        if (invocationId == null || invocationId.isBlank()) {
            invocationId = runId + ":" + nodeId + ":" + attempt;
        }
    }
}
