package dev.capstan.workflow.expr;

import dev.cel.runtime.CelRuntime;
import java.util.Objects;
import java.util.Set;

/**
 * A CEL expression compiled at load time. {@code freeIdentifiers} are bare names that are neither node ids,
 * variables nor the standard roots; they are read from run inputs, then variables, then the edge source's
 * outputs at evaluation time (OSOP examples write {@code when: additional_images_needed}).
 */
public final class CompiledExpression {

    private final String source;
    private final boolean condition;
    private final Set<String> freeIdentifiers;
    private final CelRuntime.Program program;

    CompiledExpression(String source, boolean condition, Set<String> freeIdentifiers, CelRuntime.Program program) {
        this.source = Objects.requireNonNull(source);
        this.condition = condition;
        this.freeIdentifiers = Set.copyOf(freeIdentifiers);
        this.program = program;
    }

    public String source() {
        return source;
    }

    /** True when compiled as a boolean condition (the checker rejected non-boolean results). */
    public boolean isCondition() {
        return condition;
    }

    public Set<String> freeIdentifiers() {
        return freeIdentifiers;
    }

    CelRuntime.Program program() {
        return program;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompiledExpression c && c.source.equals(source) && c.condition == condition;
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, condition);
    }

    @Override
    public String toString() {
        return source;
    }
}
