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
 * @param forEach    OSOP {@code for_each}: a CEL value expression giving the list the target iterates over (a
 *                   forward LOOP edge), or null
 * @param iteratorVar OSOP {@code iterator_var}: the name the current element has under {@code loop.} in the body
 * @param spawnCount OSOP {@code spawn_count} of a SPAWN edge (null or 1: one visit; n > 1: n sequential visits)
 */
public record Edge(String id, String from, String to, EdgeMode mode, CompiledExpression condition, JoinRule joinRule,
                   Integer joinCount, String switchGroup, Object caseValue, boolean defaultCase, Integer maxIterations,
                   String label, CompiledExpression forEach, String iteratorVar, Integer spawnCount) {

    /** An edge that neither iterates nor spawns several children (the signature before for_each was added). */
    public Edge(String id, String from, String to, EdgeMode mode, CompiledExpression condition, JoinRule joinRule,
                Integer joinCount, String switchGroup, Object caseValue, boolean defaultCase, Integer maxIterations,
                String label) {
        this(id, from, to, mode, condition, joinRule, joinCount, switchGroup, caseValue, defaultCase, maxIterations,
                label, null, null, null);
    }

    /** True when taking the edge visits its target more than once in a row (for_each, or spawn_count > 1). */
    public boolean repeatsTarget() {
        return forEach != null || (spawnCount != null && spawnCount > 1);
    }

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
