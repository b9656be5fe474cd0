package dev.capstan.bench;

import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.load.OpenWopLoader;
import dev.capstan.workflow.model.WorkflowDefinition;

/**
 * Generated OpenWOP definitions for the benchmarks, loaded through the real loader so they pass the same schema and
 * graph checks as any stored workflow.
 */
public final class Workflows {

    /** The two shapes measured: a long sequence, and one wide parallel fan-out into a single join. */
    public enum Shape {
        CHAIN, FANOUT
    }

    private Workflows() {
    }

    public static WorkflowDefinition generate(Shape shape, int nodes) {
        return switch (shape) {
            case CHAIN -> chain(nodes);
            case FANOUT -> fanOut(nodes);
        };
    }

    /** {@code n1 -> n2 -> ... -> n<nodes>}. */
    public static WorkflowDefinition chain(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a chain needs at least one node");
        }
        StringBuilder edges = new StringBuilder();
        for (int i = 1; i < nodes; i++) {
            edge(edges, "n" + i, "n" + (i + 1));
        }
        return load("chain-" + nodes, nodeList(nodes, i -> "n" + i), edges);
    }

    /** {@code start -> b1..b<nodes-2> -> join}: every branch is dispatched at once and the join waits for all. */
    public static WorkflowDefinition fanOut(int nodes) {
        if (nodes < 3) {
            throw new IllegalArgumentException("a fan-out needs a start, at least one branch and a join");
        }
        int branches = nodes - 2;
        StringBuilder edges = new StringBuilder();
        for (int i = 1; i <= branches; i++) {
            edge(edges, "start", "b" + i);
            edge(edges, "b" + i, "join");
        }
        return load("fanout-" + nodes,
                nodeList(nodes, i -> i == 1 ? "start" : i == nodes ? "join" : "b" + (i - 1)), edges);
    }

    private static StringBuilder nodeList(int nodes, java.util.function.IntFunction<String> id) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= nodes; i++) {
            String nodeId = id.apply(i);
            sb.append(sb.length() > 0 ? "," : "").append("{\"id\":\"").append(nodeId)
                    .append("\",\"typeId\":\"core.noop\",\"name\":\"").append(nodeId)
                    .append("\",\"position\":{\"x\":0,\"y\":0},\"config\":{},\"inputs\":{}}");
        }
        return sb;
    }

    private static void edge(StringBuilder edges, String from, String to) {
        edges.append(edges.length() > 0 ? "," : "").append("{\"id\":\"").append(from).append('>').append(to)
                .append("\",\"sourceNodeId\":\"").append(from).append("\",\"targetNodeId\":\"").append(to).append("\"}");
    }

    private static WorkflowDefinition load(String id, StringBuilder nodes, StringBuilder edges) {
        String json = "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"version\":\"1\","
                + "\"triggers\":[{\"id\":\"manual\",\"type\":\"manual\",\"enabled\":true}],"
                + "\"variables\":[],\"metadata\":{},\"settings\":{},"
                + "\"nodes\":[" + nodes + "],\"edges\":[" + edges + "]}";
        return new OpenWopLoader(NodeTypeRegistry.acceptAll()).load(json).orThrow();
    }
}
