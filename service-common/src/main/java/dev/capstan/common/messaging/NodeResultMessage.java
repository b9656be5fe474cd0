package dev.capstan.common.messaging;

import java.util.List;
import java.util.Map;

/**
 * Version 1 of the message on {@link Topics#NODE_RESULTS} (JSON, record key = run id): what one attempt
 * of a node did. run-service ignores a second result for the same {@code invocationId}.
 *
 * @param outcome  {@code completed}, {@code failed}, {@code suspended} (the node asks for an interrupt,
 *                 described in {@code interrupt}) or {@code progress} (a streamed chunk; more messages follow)
 * @param error    for {@code failed}: {@code {code, message, retryable, details}}; never contains secret values
 * @param cost     {@code {usd, inputTokens, outputTokens, model, provider}} when the node spent any
 * @param http     for HTTP nodes: {@code {status, preview}} (preview: the first few KB of the response, redacted)
 * @param chunk    for {@code progress}: {@code {channel, text, isLast, meta}}
 * @param variables for {@code completed}: run variables the node sets ({@code {name: value}}), or null
 * @param artifacts for {@code completed}: artifacts the node produced, {@code [{artifactId, artifactType, content, summary?}]},
 *                  or null; run-service stores them with the completion and emits {@code artifact.created}
 */
public record NodeResultMessage(
        int v,
        String tenantId,
        String runId,
        String nodeId,
        int attempt,
        String invocationId,
        String outcome,
        Map<String, Object> outputs,
        Map<String, Object> error,
        long durationMs,
        Map<String, Object> cost,
        Map<String, Object> http,
        Map<String, Object> interrupt,
        Map<String, Object> chunk,
        long finishedAtEpochMs,
        Map<String, Object> variables,
        List<Map<String, Object>> artifacts) {

    /** A result that declares no artifacts. */
    public NodeResultMessage(int v, String tenantId, String runId, String nodeId, int attempt, String invocationId, String outcome,
                             Map<String, Object> outputs, Map<String, Object> error, long durationMs, Map<String, Object> cost,
                             Map<String, Object> http, Map<String, Object> interrupt, Map<String, Object> chunk,
                             long finishedAtEpochMs, Map<String, Object> variables) {
        this(v, tenantId, runId, nodeId, attempt, invocationId, outcome, outputs, error, durationMs, cost, http, interrupt, chunk,
                finishedAtEpochMs, variables, null);
    }

    public static final int VERSION = 1;
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String SUSPENDED = "suspended";
    public static final String PROGRESS = "progress";
}
