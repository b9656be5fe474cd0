package dev.capstan.workflow.load;

import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.expr.CompileResult;
import dev.capstan.workflow.expr.ExpressionIssue;
import java.util.List;

/** Turns CEL compile issues into located problems. */
final class Expressions {

    private Expressions() {
    }

    static void report(CompileResult r, String pointer, JsonDocument doc, List<Problem> problems) {
        for (ExpressionIssue issue : r.issues()) {
            String msg = (issue.error() ? "Expression error" : "Expression note") + " at line " + issue.line()
                    + ", column " + issue.column() + " of the expression: " + firstLine(issue.message());
            Problem p = issue.error() ? doc.error("expression.compile", pointer, msg)
                    : doc.warning("expression.free_identifier", pointer, msg);
            problems.add(p);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
