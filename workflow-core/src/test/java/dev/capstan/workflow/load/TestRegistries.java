package dev.capstan.workflow.load;

import dev.capstan.workflow.graph.NodeTypeRegistry;
import java.util.Set;

/** The type registry the fixture tests use: the namespaces the fixtures draw from, minus one deliberately absent type. */
public final class TestRegistries {

    public static final String MISSING_TYPE = "conformance.requiresMissing";

    private TestRegistries() {
    }

    public static NodeTypeRegistry openWop() {
        NodeTypeRegistry prefixes = NodeTypeRegistry.withPrefixes(Set.of(), Set.of("core.", "vendor.", "local.", "conformance."));
        return t -> !MISSING_TYPE.equals(t) && prefixes.isKnown(t);
    }
}
