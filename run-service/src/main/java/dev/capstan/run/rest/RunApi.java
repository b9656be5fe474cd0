package dev.capstan.run.rest;

import java.util.List;
import java.util.Map;

/** Request and response bodies of the runs API (OpenWOP v1). */
public final class RunApi {

    private RunApi() {
    }

    public record CreateRunRequest(String workflowId, Map<String, Object> inputs, String tenantId, String scopeId,
                                   String callbackUrl, Map<String, Object> configurable, List<String> tags,
                                   Map<String, Object> metadata) {
    }

    public record CreatedRun(String runId, String status, String eventsUrl, String statusUrl) {
    }

    public record CancelRequest(String reason) {
    }

    public record CancelledRun(String runId, String status) {
    }

    public record PauseRequest(String reason, String drainPolicy) {
    }

    public record ResumeRequest(String reason) {
    }

    public record PausedRun(String runId, String status, String pausedAt) {
    }

    public record ResumedRun(String runId, String status, String resumedAt) {
    }

    public record ResolveInterruptRequest(Object resumeValue) {
    }

    public record ResolvedInterrupt(String runId, String nodeId, String status) {
    }

    /**
     * @param intent {@code resolve} (the default; also allows inspecting) or {@code inspect}
     * @param ttlMs  the token's lifetime (default 30 min), capped at the interrupt's own timeout
     */
    public record MintTokenRequest(String intent, Long ttlMs) {
    }

    public record BulkCancelRequest(List<String> runIds, String reason) {
    }

    public record BulkCancelResult(String runId, boolean ok, String status, Map<String, Object> error) {
    }

    public record BulkCancelResponse(List<BulkCancelResult> results) {
    }

    public record ForkedRun(String runId, String sourceRunId, long fromSeq, String mode, String status, String eventsUrl) {
    }

    public record PolledEvents(List<Map<String, Object>> events, boolean isComplete) {
    }
}
