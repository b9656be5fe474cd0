package dev.capstan.cli.run;

import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.risk.RiskReport;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The checks before a run starts: shell nodes need {@code --allow-exec}; a risk score above 30 or any approval gate
 * needs a yes (at the prompt or by {@code --approve}). Returns why the run may not start, or empty.
 */
public final class Preflight {

    /** OSOP's seed workflow sends anything above this to a person first. */
    public static final int APPROVAL_SCORE = 30;
    private static final Set<String> SHELL_TYPES = Set.of("osop.cli", "core.shell");

    private Preflight() {
    }

    public static Optional<String> check(WorkflowDefinition def, RiskReport risk, RunSettings settings, HumanGate gate,
                                         PrintWriter out, RunLog log, Clock clock) {
        out.println("Pre-flight: risk score " + risk.overallScore() + "/100 (" + risk.verdict() + "), "
                + risk.findings().size() + " finding" + (risk.findings().size() == 1 ? "" : "s"));
        risk.findings().forEach(f -> out.println("  " + f.ruleId() + " " + f.severity().wireName()
                + (f.nodeId() == null ? "" : " [" + f.nodeId() + "]") + ": " + f.title()));
        List<String> shell = new ArrayList<>();
        for (Node n : def.nodes()) {
            if (SHELL_TYPES.contains(n.typeId())) {
                Object cmd = RunLog.map(n.config().get("runtime")).getOrDefault("command", n.config().get("command"));
                shell.add(n.id() + (cmd == null ? "" : " (" + cmd + ")"));
            }
        }
        if (!shell.isEmpty() && !settings.allowExec()) {
            return Optional.of("the workflow runs shell commands (" + String.join("; ", shell)
                    + "); rerun with --allow-exec to allow them");
        }
        List<String> reasons = new ArrayList<>();
        if (risk.overallScore() > APPROVAL_SCORE) {
            reasons.add("risk score " + risk.overallScore() + " is above " + APPROVAL_SCORE);
        }
        List<String> gated = def.nodes().stream().filter(n -> n.security().approvalGate()).map(Node::id).toList();
        if (!gated.isEmpty()) {
            reasons.add("approval gates on " + String.join(", ", gated));
        }
        if (reasons.isEmpty()) {
            out.flush();
            return Optional.empty();
        }
        String why = String.join(" and ", reasons);
        Optional<HumanGate.Answer> answer = gate.confirm("The run needs approval (" + why + "). Run it?");
        if (answer.isEmpty()) {
            return Optional.of("the run needs approval (" + why + ") and there is no terminal to ask: rerun with --approve"
                    + " to approve it, or run it from a terminal");
        }
        boolean yes = Boolean.TRUE.equals(answer.get().resumeValue());
        log.preflightDecision(answer.get().actor(), yes, why, clock.instant());
        out.flush();
        return yes ? Optional.empty() : Optional.of("the run was not approved");
    }
}
