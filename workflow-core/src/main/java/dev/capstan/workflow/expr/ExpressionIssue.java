package dev.capstan.workflow.expr;

/** A compile problem inside one expression; line and column are 1-based within the expression text. */
public record ExpressionIssue(int line, int column, String message, boolean error) {
}
