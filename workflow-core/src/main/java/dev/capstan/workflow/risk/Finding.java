package dev.capstan.workflow.risk;

/** One rule hit. {@code nodeId} is null for workflow-level rules. */
public record Finding(String ruleId, Severity severity, String nodeId, String title, String description,
                      String suggestion) {
}
