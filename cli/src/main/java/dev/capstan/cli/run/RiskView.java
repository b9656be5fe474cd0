package dev.capstan.cli.run;

import dev.capstan.workflow.risk.Finding;
import dev.capstan.workflow.risk.RiskReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The risk report as plain values, in the OSOP tools' field names (for --json, the log and the report). */
public final class RiskView {

    private RiskView() {
    }

    public static Map<String, Object> toMap(RiskReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("overall_score", r.overallScore());
        m.put("verdict", r.verdict());
        m.put("total_findings", r.findings().size());
        m.put("has_approval_gates", r.hasApprovalGates());
        m.put("permissions_required", r.permissionsRequired());
        m.put("secrets_required", r.secretsRequired());
        m.put("estimated_cost", r.estimatedCostUsd());
        List<Map<String, Object>> findings = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("rule_id", f.ruleId());
            fm.put("severity", f.severity().wireName());
            if (f.nodeId() != null) {
                fm.put("node_id", f.nodeId());
            }
            fm.put("title", f.title());
            if (f.description() != null) {
                fm.put("description", f.description());
            }
            if (f.suggestion() != null) {
                fm.put("suggestion", f.suggestion());
            }
            findings.add(fm);
        }
        m.put("findings", findings);
        Map<String, Object> scores = new TreeMap<>();
        r.nodeScores().forEach((id, s) -> scores.put(id, RunLog.ordered("base_score", s.baseScore(), "mitigated_score", s.mitigatedScore())));
        m.put("node_scores", scores);
        return m;
    }
}
