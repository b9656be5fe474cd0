package dev.capstan.workflow.error;

import java.util.List;
import java.util.function.Function;

/**
 * The outcome of loading something: either the value (possibly with warnings) or every problem found.
 * Loaders never throw for bad input; they return {@link Rejected} with the full list.
 */
public sealed interface LoadResult<T> permits LoadResult.Loaded, LoadResult.Rejected {

    List<Problem> problems();

    record Loaded<T>(T value, List<Problem> problems) implements LoadResult<T> {
        public Loaded {
            problems = List.copyOf(problems);
        }
    }

    record Rejected<T>(List<Problem> problems) implements LoadResult<T> {
        public Rejected {
            problems = List.copyOf(problems);
            if (problems.stream().noneMatch(Problem::isError)) {
                throw new IllegalArgumentException("a rejection needs at least one error");
            }
        }
    }

    default boolean isLoaded() {
        return this instanceof Loaded<T>;
    }

    default List<Problem> errors() {
        return problems().stream().filter(Problem::isError).toList();
    }

    default List<Problem> warnings() {
        return problems().stream().filter(p -> !p.isError()).toList();
    }

    /** The value, or an {@link IllegalStateException} listing the problems (for callers that already validated). */
    default T orThrow() {
        if (this instanceof Loaded<T> loaded) {
            return loaded.value();
        }
        StringBuilder sb = new StringBuilder("definition rejected:");
        for (Problem p : problems()) {
            sb.append("\n  ").append(p.describe());
        }
        throw new IllegalStateException(sb.toString());
    }

    default <R> LoadResult<R> map(Function<T, R> f) {
        if (this instanceof Loaded<T> loaded) {
            return new Loaded<>(f.apply(loaded.value()), loaded.problems());
        }
        return new Rejected<>(problems());
    }

    static <T> LoadResult<T> of(T value, List<Problem> problems) {
        return problems.stream().anyMatch(Problem::isError) ? new Rejected<>(problems) : new Loaded<>(value, problems);
    }
}
