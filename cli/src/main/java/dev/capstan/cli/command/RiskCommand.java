package dev.capstan.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.capstan.cli.run.RiskView;
import dev.capstan.cli.workflow.WorkflowFile;
import dev.capstan.workflow.risk.Finding;
import dev.capstan.workflow.risk.RiskAssessor;
import dev.capstan.workflow.risk.RiskReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "risk", description = "Pre-flight risk assessment: score 0-100, verdict and findings with rule ids.")
public final class RiskCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The workflow file.")
    Path file;

    @Option(names = "--json", description = "Print the assessment as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RiskReport report = RiskAssessor.assess(WorkflowFile.readValid(file).definition());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(RiskView.toMap(report)));
        } else {
            out.println("Risk score " + report.overallScore() + "/100: " + report.verdict()
                    + " (" + report.findings().size() + " finding" + (report.findings().size() == 1 ? "" : "s") + ")");
            for (Finding f : report.findings()) {
                out.println("  " + f.ruleId() + " " + f.severity().name().toLowerCase() + (f.nodeId() == null ? "" : " [" + f.nodeId() + "]")
                        + ": " + f.title());
                if (f.suggestion() != null && !f.suggestion().isBlank()) {
                    out.println("      suggestion: " + f.suggestion());
                }
            }
            if (report.hasApprovalGates()) {
                out.println("The workflow has approval gates.");
            }
            if (!report.secretsRequired().isEmpty()) {
                out.println("Secrets required: " + String.join(", ", report.secretsRequired()));
            }
        }
        out.flush();
        return 0;
    }
}
