package dev.capstan.workflow.model;

import dev.capstan.workflow.graph.WorkflowGraph;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded, checked workflow: the one model every format maps to. Instances come from the loaders in
 * {@code dev.capstan.workflow.load}, which only build one when the definition has no errors.
 */
public record WorkflowDefinition(String id, String name, String version, String description, SourceFormat format,
                                 List<Node> nodes, List<Edge> edges, List<Variable> variables, List<Trigger> triggers,
                                 Settings settings, Map<String, Object> metadata, WorkflowGraph graph) {

    public WorkflowDefinition {
        Objects.requireNonNull(id, "id");
        name = name == null ? id : name;
        version = version == null ? "1" : version;
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
        variables = variables == null ? List.of() : List.copyOf(variables);
        triggers = triggers == null ? List.of() : List.copyOf(triggers);
        settings = settings == null ? Settings.NONE : settings;
        metadata = Values.freezeMap(metadata);
        graph = graph == null ? WorkflowGraph.of(nodes, edges, format != SourceFormat.OSOP) : graph;
    }

    public WorkflowDefinition(String id, String name, String version, String description, SourceFormat format,
                              List<Node> nodes, List<Edge> edges, List<Variable> variables, List<Trigger> triggers,
                              Settings settings, Map<String, Object> metadata) {
        this(id, name, version, description, format, nodes, edges, variables, triggers, settings, metadata, null);
    }

    public Node node(String nodeId) {
        return graph.node(nodeId);
    }
}
