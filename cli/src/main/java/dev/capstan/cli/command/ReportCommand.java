package dev.capstan.cli.command;

import dev.capstan.cli.report.HtmlReport;
import dev.capstan.cli.run.LogFiles;
import dev.capstan.cli.workflow.WorkflowFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", description = "Write a self-contained HTML report of a run from its workflow and its OSOP log.")
public final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKFLOW", description = "The workflow file that was run.")
    Path workflow;

    @Parameters(index = "1", paramLabel = "LOG", description = "Its .osoplog.yaml.")
    Path log;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to write the HTML.")
    Path output;

    @Override
    public Integer call() {
        WorkflowFile wf = WorkflowFile.readValid(workflow);
        Map<String, Object> doc = LogFiles.read(log);
        Object logWorkflow = doc.get("workflow_id");
        if (logWorkflow != null && !logWorkflow.equals(wf.definition().id())) {
            spec.commandLine().getErr().println("capstan: warning: the log is of workflow '" + logWorkflow + "', not '"
                    + wf.definition().id() + "'");
        }
        HtmlReport.write(output, wf.definition(), doc);
        spec.commandLine().getOut().println("Report: " + output);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
