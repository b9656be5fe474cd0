package dev.capstan.workflow.model;

/** What a node is expected to cost per execution, if the author said; fields may be null. */
public record CostEstimate(Double usd, Long inputTokens, Long outputTokens) {
    public static final CostEstimate NONE = new CostEstimate(null, null, null);
}
