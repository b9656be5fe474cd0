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

    public record PolledEvents(List<Map<String, Object>> events, boolean isComplete) {
    }
}
