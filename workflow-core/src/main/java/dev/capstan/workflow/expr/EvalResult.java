package dev.capstan.workflow.expr;

/** The value of an evaluation, or why there is none. */
public sealed interface EvalResult {

    record Value(Object value) implements EvalResult {
    }

    record Failure(String reason, boolean costLimitExceeded) implements EvalResult {
    }

    /** For conditions: only a boolean {@code true} counts; failures and non-booleans are false. */
    default boolean isTrue() {
        return this instanceof Value v && Boolean.TRUE.equals(v.value());
    }
}
