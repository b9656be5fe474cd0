package dev.capstan.run.rest.compat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * Request and response bodies of the Operativus {@code /api/v1/workflows} surface, field for field as their
 * records (agm {@code core/model}). Timestamps are their {@code LocalDateTime}s: ISO-8601 without an offset, in UTC.
 */
public final class OperativusApi {

    private OperativusApi() {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record WorkflowDto(String id, String name, String description, Integer stepCount, String createdAt, String updatedAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HumanReviewDto(Boolean requiresConfirmation, Boolean requiresUserInput, Boolean requiresOutputReview, String onReject,
                                 String onTimeout, String onError, Long timeoutSeconds, List<String> approvers, String elseStepId) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StepDto(String id, String workflowId, Integer stepOrder, String agentId, String action, Map<String, Object> routerConfig,
                          String onReject, String elseStepId, Boolean requiresConfirmation, HumanReviewDto humanReview, String createdAt,
                          String updatedAt) {
    }

    /** Spring Data's page as serialised VIA_DTO. */
    public record PageDto<T>(List<T> content, PageMeta page) {
    }

    public record PageMeta(int size, int number, long totalElements, int totalPages) {
    }

    public record RunDto(String id, String workflowId, String sessionId, String status, Integer lastStepOrder, Long durationMs,
                         String createdAt, String updatedAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ExecuteRequest(String input, String sessionId) {
    }

    public record ExecutionResponse(String jobId, String workflowId, String sessionId) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResumeRequest(String output) {
    }

    public record ResumeResponse(String jobId, String runId) {
    }

    public record NodeRunDto(String id, String nodeId, String nodeName, String kind, boolean success, String error, boolean paused,
                             String pauseKind, String content, Long tokenCost, String modelId, String startedAt, String endedAt) {
    }

    public record GraphDto(List<StepDto> steps, List<Object> edges) {
    }

    public record LayoutDto(List<Object> positions) {
    }

    public record RouteOptionsDto(String runId, String status, boolean awaitingRouteSelection, List<String> choiceKeys, String defaultChoice) {
    }
}
