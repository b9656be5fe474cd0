package dev.capstan.cli.workflow;

import dev.capstan.cli.CliFailure;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.load.WorkflowLoaders;
import dev.capstan.workflow.model.SourceFormat;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** A workflow file as read from disk: its text, its format, and what the loader made of it. */
public record WorkflowFile(Path path, String text, SourceFormat format, LoadResult<WorkflowDefinition> result) {

    /**
     * Loads with every node type accepted, as run-service does: whether a type can run is the runner's question,
     * not the file's (an OSOP file may name types only some executors serve).
     */
    private static final WorkflowLoaders LOADERS = new WorkflowLoaders(NodeTypeRegistry.acceptAll());

    public static WorkflowFile read(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw CliFailure.failed(path + ": no such file");
        } catch (MalformedInputException e) {
            throw CliFailure.failed(path + ": not UTF-8 text");
        } catch (IOException e) {
            throw CliFailure.failed(path + ": cannot be read (" + e.getMessage() + ")");
        }
        SourceFormat format = WorkflowLoaders.detect(text);
        return new WorkflowFile(path, text, format, LOADERS.load(text, format));
    }

    /** Reads and requires a loadable definition; otherwise fails with every error located. */
    public static WorkflowFile readValid(Path path) {
        WorkflowFile f = read(path);
        if (!f.result().isLoaded()) {
            StringBuilder sb = new StringBuilder(path + " is not a valid workflow:");
            for (Problem p : f.result().errors()) {
                sb.append("\n  ").append(f.describe(p));
            }
            throw CliFailure.failed(sb.toString());
        }
        return f;
    }

    public WorkflowDefinition definition() {
        return result.orThrow();
    }

    public boolean osop() {
        return format == SourceFormat.OSOP;
    }

    public List<Problem> errors() {
        return result.errors();
    }

    public List<Problem> warnings() {
        return result.warnings();
    }

    /** {@code file:line:column: error: message (at /pointer)}, the form editors and terminals link. */
    public String describe(Problem p) {
        StringBuilder sb = new StringBuilder(path.toString());
        if (p.line() > 0) {
            sb.append(':').append(p.line()).append(':').append(p.column());
        }
        sb.append(": ").append(p.isError() ? "error" : "warning").append(": ").append(oneLine(p.message()));
        sb.append(" (at ").append(p.pointer().isEmpty() ? "/" : p.pointer()).append(", ").append(p.code()).append(')');
        return sb.toString();
    }

    /** Parser messages quote the offending text over several lines; the line and column already say where. */
    private static String oneLine(String message) {
        StringBuilder sb = new StringBuilder();
        for (String line : message.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("in reader") || t.equals("^") || line.startsWith("    ")) {
                continue;
            }
            sb.append(sb.isEmpty() ? "" : " ").append(t);
        }
        return sb.toString();
    }
}
