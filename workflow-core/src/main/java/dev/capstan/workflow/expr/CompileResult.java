package dev.capstan.workflow.expr;

import java.util.List;

/** The expression (null when it has errors) and every issue found compiling it. */
public record CompileResult(CompiledExpression expression, List<ExpressionIssue> issues) {
    public CompileResult {
        issues = List.copyOf(issues);
    }

    public boolean ok() {
        return expression != null;
    }
}
