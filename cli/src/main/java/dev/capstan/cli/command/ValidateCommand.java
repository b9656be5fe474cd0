package dev.capstan.cli.command;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.run.LogValidator;
import dev.capstan.cli.workflow.WorkflowFile;
import dev.capstan.workflow.error.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "validate", description = {"Check OSOP or OpenWOP definitions; print every problem with its path and line.",
        "Files named *.osoplog.yaml (or starting with osoplog_version) are checked against the OSOP log schema."},
        footer = {"", "Exit code 1 if any file is invalid. Warnings (deviations from the OSOP full schema that Capstan "
                + "accepts) do not fail a file unless --strict."})
public final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Workflow files (.osop, .osop.yaml, .yaml, .json).")
    List<Path> files;

    @Option(names = "--strict", description = "Treat warnings as errors.")
    boolean strict;

    @Option(names = {"-q", "--quiet"}, description = "Print errors only, not warnings or the per-file verdict.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean anyInvalid = false;
        for (Path file : files) {
            WorkflowFile wf;
            try {
                if (isLog(file)) {
                    anyInvalid |= validateLog(file, out);
                    continue;
                }
                wf = WorkflowFile.read(file);
            } catch (CliFailure unreadable) {
                out.println(unreadable.getMessage());
                anyInvalid = true;
                continue;
            }
            List<Problem> errors = wf.errors();
            List<Problem> warnings = wf.warnings();
            for (Problem p : errors) {
                out.println(wf.describe(p));
            }
            if (!quiet) {
                for (Problem p : warnings) {
                    out.println(wf.describe(p));
                }
            }
            boolean invalid = !errors.isEmpty() || (strict && !warnings.isEmpty());
            anyInvalid |= invalid;
            if (!quiet) {
                out.println(file + ": " + (invalid ? "invalid" : "valid") + " (" + wf.format().name().toLowerCase()
                        + ", " + errors.size() + " error" + (errors.size() == 1 ? "" : "s") + ", " + warnings.size()
                        + " warning" + (warnings.size() == 1 ? "" : "s") + ")");
            }
        }
        out.flush();
        return anyInvalid ? CliFailure.FAILED : 0;
    }

    private static boolean isLog(Path file) {
        try {
            return Files.isRegularFile(file) && LogValidator.isLog(file, Files.readString(file));
        } catch (IOException unreadable) {
            return false;
        }
    }

    /** True when the log is invalid. */
    private boolean validateLog(Path file, PrintWriter out) {
        List<String> errors;
        try {
            errors = LogValidator.errors(Files.readString(file));
        } catch (IOException e) {
            out.println(file + ": cannot be read (" + e.getMessage() + ")");
            return true;
        }
        errors.forEach(e -> out.println(file + ": error: " + e));
        if (!quiet) {
            out.println(file + ": " + (errors.isEmpty() ? "valid" : "invalid") + " (osop log, " + errors.size() + " error"
                    + (errors.size() == 1 ? "" : "s") + ")");
        }
        return !errors.isEmpty();
    }
}
