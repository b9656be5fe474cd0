package dev.capstan.run.messaging;

import java.util.Map;

/**
 * Version 1 of the message on {@code capstan.run.children} (JSON, record key = parent run id), which run-service
 * writes to its outbox in the parent's step and consumes itself, so starting or cancelling a child run is as durable
 * as the step that asked for it.
 *
 * @param kind          {@code start} (run {@code workflowId} as the child of the dispatched attempt) or {@code cancel}
 *                      (the parent's attempt was cancelled: cancel the child)
 * @param invocationId  the parent attempt's {@code runId:nodeId:attempt}; the child's run id is derived from it, so a
 *                      redelivered start finds the child it already made
 * @param call          the node's {@code core.subWorkflow} config (workflowId, waitForCompletion, onChildFailure,
 *                      propagateCancellation, inputMapping, outputMapping)
 * @param inputs        the child's start inputs (node inputs and inputMapping, taken at dispatch)
 * @param depth         the child's nesting depth (a top-level run's child is 1)
 * @param runInfo       the parent's run options the child inherits ({@code configurable}, {@code executorOptions})
 */
public record ChildRunMessage(int v, String kind, String tenantId, String parentRunId, String parentNodeId, int attempt,
                              String invocationId, String childRunId, Map<String, Object> call,
                              Map<String, Object> inputs, int depth, Map<String, Object> runInfo) {

    public static final int VERSION = 1;
    public static final String START = "start";
    public static final String CANCEL = "cancel";
}
