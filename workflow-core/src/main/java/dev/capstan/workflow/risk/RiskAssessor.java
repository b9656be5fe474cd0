package dev.capstan.workflow.risk;

import dev.capstan.workflow.model.Edge;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.RetryPolicy;
import dev.capstan.workflow.model.Values;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OSOP pre-flight risk assessment: the eight rules RISK-001…008 (the union of the two reference implementations),
 * their weights, mitigations and verdict cut-offs, applied to any loaded definition. Where the references read
 * approval gates from one place only, this reads all three OSOP forms (the loader folds them into
 * {@code security.approvalGate}); and strings that are {@code ${...}} references are not taken for hard-coded secrets.
 */
public final class RiskAssessor {

    private static final Map<String, Double> TYPE_WEIGHT = Map.ofEntries(Map.entry("cli", 2.0), Map.entry("infra", 2.0),
            Map.entry("db", 1.5), Map.entry("agent", 1.5), Map.entry("docker", 1.5), Map.entry("cicd", 1.5),
            Map.entry("api", 1.0), Map.entry("git", 1.0), Map.entry("mcp", 1.0), Map.entry("company", 1.0),
            Map.entry("human", 0.5), Map.entry("system", 0.5), Map.entry("department", 0.5), Map.entry("event", 0.5),
            Map.entry("gateway", 0.2), Map.entry("data", 0.8));
    private static final Map<String, Integer> LEVEL_SCORE = Map.of("low", 1, "medium", 2, "high", 4, "critical", 8);
    private static final List<Pattern> BROAD_PERMISSIONS = List.of(Pattern.compile("^write:\\*"),
            Pattern.compile("^delete:\\*"), Pattern.compile("^admin:\\*"), Pattern.compile("^\\*:\\*"),
            Pattern.compile("^root$"), Pattern.compile("^sudo$"));
    private static final List<Pattern> DESTRUCTIVE = List.of(Pattern.compile("rm\\s+-rf", Pattern.CASE_INSENSITIVE),
            Pattern.compile("drop\\s+(table|database|schema)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("delete\\s+from", Pattern.CASE_INSENSITIVE),
            Pattern.compile("truncate\\s+table", Pattern.CASE_INSENSITIVE),
            Pattern.compile("kubectl\\s+delete", Pattern.CASE_INSENSITIVE),
            Pattern.compile("terraform\\s+destroy", Pattern.CASE_INSENSITIVE),
            Pattern.compile("docker\\s+system\\s+prune", Pattern.CASE_INSENSITIVE),
            Pattern.compile("git\\s+push\\s+(--force|-f)\\b", Pattern.CASE_INSENSITIVE),
            Pattern.compile("git\\s+reset\\s+--hard", Pattern.CASE_INSENSITIVE),
            Pattern.compile("format\\s+[a-z]:", Pattern.CASE_INSENSITIVE), Pattern.compile("\\bfdisk\\b"),
            Pattern.compile("\\bmkfs\\b"));
    private static final List<Pattern> SECRET_LIKE = List.of(Pattern.compile("^sk-"), Pattern.compile("^ghp_"),
            Pattern.compile("^xoxb-"), Pattern.compile("^AKIA"), Pattern.compile("^eyJ"),
            Pattern.compile("password", Pattern.CASE_INSENSITIVE), Pattern.compile("api[_-]?key", Pattern.CASE_INSENSITIVE),
            Pattern.compile("secret", Pattern.CASE_INSENSITIVE), Pattern.compile("token", Pattern.CASE_INSENSITIVE));
    private static final Set<String> NEEDS_TIMEOUT = Set.of("api", "cli", "agent", "infra", "mcp");

    private RiskAssessor() {
    }

    public static RiskReport assess(WorkflowDefinition def) {
        List<Finding> findings = new ArrayList<>();
        Map<String, RiskReport.NodeScore> scores = new LinkedHashMap<>();
        Set<String> permissions = new LinkedHashSet<>();
        Set<String> secrets = new LinkedHashSet<>();
        double estimated = 0;
        int agentsWithoutCost = 0;
        boolean anyGate = false;
        double sum = 0;
        for (Node n : def.nodes()) {
            String type = osopType(n);
            String level = level(n);
            boolean gate = hasGate(n);
            anyGate |= gate;
            permissions.addAll(n.security().permissions());
            secrets.addAll(n.security().secrets());
            if (n.cost().usd() != null) {
                estimated += n.cost().usd();
            } else if ("agent".equals(type)) {
                agentsWithoutCost++;
            }
            boolean failurePath = def.graph().outgoing(n.id()).stream().anyMatch(e -> e.mode() == EdgeMode.FALLBACK
                    || e.mode() == EdgeMode.ERROR);
            boolean retry = n.retry() != RetryPolicy.NONE || n.config().containsKey("retry_policy");

            if (("high".equals(level) || "critical".equals(level)) && !gate && !ancestorHasGate(def, n.id())) {
                findings.add(new Finding("RISK-001", "critical".equals(level) ? Severity.CRITICAL : Severity.HIGH, n.id(),
                        "High-risk node without approval gate", "Node '" + n.id() + "' is " + level
                        + " risk and neither it nor any node before it requires approval.",
                        "Add approval_gate: {required: true} to the node or a human review before it."));
            }
            for (String p : n.security().permissions()) {
                if (BROAD_PERMISSIONS.stream().anyMatch(rx -> rx.matcher(p).find())) {
                    findings.add(new Finding("RISK-002", Severity.HIGH, n.id(), "Overly broad permission",
                            "Node '" + n.id() + "' asks for '" + p + "'.", "Scope the permission to specific resources."));
                }
            }
            if (("cli".equals(type) || "infra".equals(type)) && !"high".equals(level) && !"critical".equals(level)) {
                Map<String, Object> runtime = Values.asMap(n.config().get("runtime"));
                for (Object cmd : new Object[] {runtime.get("command"), runtime.get("action")}) {
                    if (cmd instanceof String c && DESTRUCTIVE.stream().anyMatch(rx -> rx.matcher(c).find())) {
                        findings.add(new Finding("RISK-003", Severity.HIGH, n.id(), "Destructive command not marked high risk",
                                "Node '" + n.id() + "' runs '" + c + "' but its risk_level is " + level + ".",
                                "Set security.risk_level to high or critical and add an approval gate."));
                        break;
                    }
                }
            }
            for (String value : strings(n.config().get("runtime"))) {
                if (value.length() > 8 && !value.startsWith("$") && !value.contains("${")
                        && SECRET_LIKE.stream().anyMatch(rx -> rx.matcher(value).find())) {
                    findings.add(new Finding("RISK-004", Severity.CRITICAL, n.id(), "Possible hard-coded secret",
                            "A runtime value of node '" + n.id() + "' looks like a credential.",
                            "Reference it as ${secrets.NAME} instead."));
                    break;
                }
            }
            if (LEVEL_SCORE.getOrDefault(level, 1) >= 2 && !failurePath && !retry) {
                findings.add(new Finding("RISK-007", Severity.MEDIUM, n.id(), "No error handling",
                        "Node '" + n.id() + "' is " + level + " risk with no fallback/error edge and no retry policy.",
                        "Add a retry_policy or a fallback edge."));
            }
            if (NEEDS_TIMEOUT.contains(type) && n.timeoutMs() == null && !n.config().containsKey("timeout_sec")) {
                findings.add(new Finding("RISK-008", Severity.LOW, n.id(), "No timeout",
                        "Node '" + n.id() + "' (" + type + ") has no timeout_sec.", "Set timeout_sec."));
            }
            double base = TYPE_WEIGHT.getOrDefault(type, 1.0) * LEVEL_SCORE.getOrDefault(level, 1);
            double mitigation = 1.0;
            if (gate) {
                mitigation -= 0.5;
            }
            if (retry) {
                mitigation -= 0.1;
            }
            if (failurePath) {
                mitigation -= 0.2;
            }
            if (Boolean.TRUE.equals(Values.asMap(n.config().get("idempotency")).get("enabled"))) {
                mitigation -= 0.05;
            }
            mitigation = Math.max(0.1, mitigation);
            scores.put(n.id(), new RiskReport.NodeScore(base, base * mitigation));
            sum += base * mitigation;
        }
        segregation(def, findings);
        if (agentsWithoutCost > 2 || estimated > 10) {
            findings.add(new Finding("RISK-005", Severity.MEDIUM, null, "Unbounded cost",
                    agentsWithoutCost > 2 ? agentsWithoutCost + " agent nodes have no cost estimate."
                            : "The estimated cost is $" + estimated + ", above $10.",
                    "Add cost.estimated to agent nodes and set a budget."));
        }
        double mean = def.nodes().isEmpty() ? 0 : sum / def.nodes().size();
        // Half-to-even, as the reference (Python round) does: 12.5 → 12.
        int normalized = (int) Math.min(100, Math.rint(mean / 8 * 100));
        int penalty = findings.stream().mapToInt(f -> f.severity().penalty()).sum();
        int overall = Math.min(100, normalized + penalty);
        String verdict = overall <= 20 ? "safe" : overall <= 45 ? "caution" : overall <= 70 ? "warning" : "danger";
        return new RiskReport(overall, verdict, findings, scores, anyGate, List.copyOf(permissions), List.copyOf(secrets),
                estimated);
    }

    /** RISK-006: a node that must be segregated from another node with the same role. */
    private static void segregation(WorkflowDefinition def, List<Finding> findings) {
        for (Node n : def.nodes()) {
            Object role = n.config().get("role");
            Object seg = Values.asMap(n.config().get("actors")).get("segregation_from");
            if (role == null || !(seg instanceof List<?> others)) {
                continue;
            }
            for (Object other : others) {
                Node o = def.node(String.valueOf(other));
                if (o != null && role.equals(o.config().get("role"))) {
                    findings.add(new Finding("RISK-006", Severity.HIGH, n.id(), "Segregation of duties violated",
                            "Nodes '" + n.id() + "' and '" + o.id() + "' must be done by different people but share role '"
                                    + role + "'.", "Assign different roles."));
                }
            }
        }
    }

    private static String osopType(Node n) {
        return n.typeId().startsWith("osop.") ? n.typeId().substring(5) : n.typeId();
    }

    private static String level(Node n) {
        String l = n.security().riskLevel();
        return l == null ? "low" : l.toLowerCase(Locale.ROOT);
    }

    private static boolean hasGate(Node n) {
        return n.security().approvalGate()
                || (n.kind() == NodeKind.INTERRUPT && n.interrupt().kind() == InterruptKind.APPROVAL
                && Values.asMap(n.config().get("approval_gate")).get("required") != null);
    }

    private static boolean ancestorHasGate(WorkflowDefinition def, String nodeId) {
        Deque<String> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.add(nodeId);
        while (!todo.isEmpty()) {
            for (Edge e : def.graph().incomingForward(todo.poll())) {
                if (seen.add(e.from())) {
                    if (hasGate(def.node(e.from()))) {
                        return true;
                    }
                    todo.add(e.from());
                }
            }
        }
        return false;
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof String s) {
            out.add(s);
        } else if (o instanceof Map<?, ?> m) {
            m.values().forEach(v -> out.addAll(strings(v)));
        } else if (o instanceof List<?> l) {
            l.forEach(v -> out.addAll(strings(v)));
        }
        return out;
    }
}
