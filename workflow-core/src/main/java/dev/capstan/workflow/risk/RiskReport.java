package dev.capstan.workflow.risk;

import java.util.List;
import java.util.Map;

/**
 * Pre-flight risk assessment of a workflow: score 0–100, verdict (safe ≤20, caution ≤45, warning ≤70, danger),
 * the findings, and per-node base and mitigated scores.
 */
public record RiskReport(int overallScore, String verdict, List<Finding> findings, Map<String, NodeScore> nodeScores,
                         boolean hasApprovalGates, List<String> permissionsRequired, List<String> secretsRequired,
                         double estimatedCostUsd) {

    public record NodeScore(double baseScore, double mitigatedScore) {
    }

    public RiskReport {
        findings = List.copyOf(findings);
        nodeScores = Map.copyOf(nodeScores);
        permissionsRequired = List.copyOf(permissionsRequired);
        secretsRequired = List.copyOf(secretsRequired);
    }

    public List<String> ruleIds() {
        return findings.stream().map(Finding::ruleId).distinct().sorted().toList();
    }
}
