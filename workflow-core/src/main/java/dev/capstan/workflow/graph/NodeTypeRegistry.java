package dev.capstan.workflow.graph;

import java.util.Set;

/**
 * Which node types exist. The registry service provides the real one later; loaders take any implementation
 * and report nodes whose type it does not know.
 */
@FunctionalInterface
public interface NodeTypeRegistry {

    boolean isKnown(String typeId);

    /** Accepts every type: for tools that only parse, and for tests that are not about types. */
    static NodeTypeRegistry acceptAll() {
        return typeId -> true;
    }

    static NodeTypeRegistry of(Set<String> typeIds) {
        Set<String> copy = Set.copyOf(typeIds);
        return copy::contains;
    }

    /** Knows the given types plus everything under the given prefixes (e.g. {@code "core."}). */
    static NodeTypeRegistry withPrefixes(Set<String> typeIds, Set<String> prefixes) {
        Set<String> ids = Set.copyOf(typeIds);
        Set<String> pre = Set.copyOf(prefixes);
        return t -> ids.contains(t) || pre.stream().anyMatch(t::startsWith);
    }
}
