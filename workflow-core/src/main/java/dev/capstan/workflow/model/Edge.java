package dev.capstan.workflow.model;

import dev.capstan.workflow.expr.CompiledExpression;
import java.util.Objects;

/**
 * A connection between two nodes.
 *
 * @param condition  a boolean CEL condition (CONDITIONAL, LOOP, ERROR), or the switch selector (SWITCH); may be null
 * @param joinRule   how the target joins this edge with its other incoming edges
 * @param joinCount  for {@link JoinRule#AT_LEAST_N}
 * @param switchGroup edges expanded from one OSOP switch share this id; {@code caseValue} picks the branch and
 *                    {@code defaultCase} marks the default branch
 * @param maxIterations per-edge loop bound (null = the workflow's loop limit)
 */
public record Edge(String id, String from, String to, EdgeMode mode, CompiledExpression condition, JoinRule joinRule,
                   Integer joinCount, String switchGroup, Object caseValue, boolean defaultCase, Integer maxIterations,
                   String label) {

    public Edge {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        mode = mode == null ? EdgeMode.SEQUENTIAL : mode;
        joinRule = joinRule == null ? JoinRule.DEFAULT : joinRule;
        caseValue = Values.freeze(caseValue);
    }

    public static Edge simple(String id, String from, String to, EdgeMode mode, CompiledExpression condition) {
        return new Edge(id, from, to, mode, condition, JoinRule.DEFAULT, null, null, null, false, null, null);
    }
}
