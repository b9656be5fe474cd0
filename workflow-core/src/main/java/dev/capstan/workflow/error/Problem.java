package dev.capstan.workflow.error;

import java.util.Objects;

/**
 * One thing wrong (or questionable) with a definition or a request, located precisely enough for a
 * person to fix it: a JSON pointer into the document and, for YAML/JSON text, the line and column.
 *
 * @param code     stable machine-readable code, e.g. {@code schema.required} or {@code graph.cycle}
 * @param severity {@link Severity#ERROR} rejects the definition, {@link Severity#WARNING} does not
 * @param pointer  RFC 6901 JSON pointer ("" for the document root)
 * @param line     1-based line, or 0 when unknown
 * @param column   1-based column, or 0 when unknown
 * @param message  a plain sentence
 */
public record Problem(String code, Severity severity, String pointer, int line, int column, String message) {

    public enum Severity { ERROR, WARNING }

    public Problem {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(severity, "severity");
        pointer = pointer == null ? "" : pointer;
        Objects.requireNonNull(message, "message");
    }

    public static Problem error(String code, String pointer, String message) {
        return new Problem(code, Severity.ERROR, pointer, 0, 0, message);
    }

    public static Problem warning(String code, String pointer, String message) {
        return new Problem(code, Severity.WARNING, pointer, 0, 0, message);
    }

    public Problem at(int line, int column) {
        return new Problem(code, severity, pointer, line, column, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** "/nodes/0/id (line 3, column 7): message" — the form shown to people. */
    public String describe() {
        String where = pointer.isEmpty() ? "/" : pointer;
        if (line > 0) {
            where += " (line " + line + ", column " + column + ")";
        }
        return where + ": " + message;
    }
}
