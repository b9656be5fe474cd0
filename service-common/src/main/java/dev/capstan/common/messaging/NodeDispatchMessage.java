package dev.capstan.common.messaging;

import java.util.Map;

/**
 * Version 1 of the command on {@link Topics#NODE_DISPATCH} (JSON, record key = run id): run one attempt
 * of one node. {@code invocationId} ({@code runId:nodeId:attempt}) identifies the attempt: an executor that
 * receives it again must not repeat the effect, and sends it as {@code Idempotency-Key} on side-effecting calls.
 *
 * @param inputs   the node's resolved inputs (expressions already evaluated by run-service)
 * @param config   the node's static configuration from the definition
 * @param options  run options the executor needs: {@code allowExec}, {@code mockProvider},
 *                 {@code budgetRemainingUsd}, {@code testMode}, BYOK references ({@code ai.*})
 */
public record NodeDispatchMessage(
        int v,
        String tenantId,
        String runId,
        String nodeId,
        String typeId,
        int attempt,
        String invocationId,
        Map<String, Object> inputs,
        Map<String, Object> config,
        Long timeoutMs,
        Map<String, Object> options,
        long dispatchedAtEpochMs) {

    public static final int VERSION = 1;

    public NodeDispatchMessage {
        inputs = inputs == null ? Map.of() : inputs;
        config = config == null ? Map.of() : config;
        options = options == null ? Map.of() : options;
    }
}
