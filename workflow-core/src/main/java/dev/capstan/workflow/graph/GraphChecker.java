package dev.capstan.workflow.graph;

import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.model.Edge;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.JoinRule;
import dev.capstan.workflow.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural checks shared by every loader: duplicate ids, dangling edges, unknown node types, conditional edges
 * without a condition, cycles that no loop edge bounds, unreachable nodes and conflicting join rules. Pointers are
 * parallel to the node and edge lists so each problem names the place in the source document.
 */
public final class GraphChecker {

    private GraphChecker() {
    }

    public static List<Problem> check(List<Node> nodes, List<String> nodePointers, List<Edge> edges,
                                      List<String> edgePointers, Set<String> entryNodeIds, NodeTypeRegistry registry,
                                      boolean anyEdgeClosesCycles) {
        List<Problem> problems = new ArrayList<>();
        if (nodes.isEmpty()) {
            problems.add(Problem.error("graph.empty", "/nodes", "The workflow has no nodes."));
            return problems;
        }
        Map<String, Integer> firstNode = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Integer prev = firstNode.putIfAbsent(n.id(), i);
            if (prev != null) {
                problems.add(Problem.error("graph.duplicate_node", nodePointers.get(i) + "/id",
                        "Node id '" + n.id() + "' is used more than once (first at " + nodePointers.get(prev) + ")."));
            }
            if (!registry.isKnown(n.typeId())) {
                problems.add(Problem.error("graph.unknown_type", nodePointers.get(i),
                        "Node '" + n.id() + "' has type '" + n.typeId() + "', which the node type registry does not know."));
            }
        }
        Set<String> edgeIds = new HashSet<>();
        Map<String, JoinRule> joinByTarget = new HashMap<>();
        for (int i = 0; i < edges.size(); i++) {
            Edge e = edges.get(i);
            String p = edgePointers.get(i);
            if (!edgeIds.add(e.id())) {
                problems.add(Problem.error("graph.duplicate_edge", p, "Edge id '" + e.id() + "' is used more than once."));
            }
            if (!firstNode.containsKey(e.from())) {
                problems.add(Problem.error("graph.missing_node", p, "Edge '" + e.id() + "' starts at node '" + e.from()
                        + "', which does not exist."));
            }
            if (!firstNode.containsKey(e.to())) {
                problems.add(Problem.error("graph.missing_node", p, "Edge '" + e.id() + "' ends at node '" + e.to()
                        + "', which does not exist."));
            }
            if ((e.mode() == EdgeMode.CONDITIONAL || e.mode() == EdgeMode.LOOP || e.mode() == EdgeMode.SWITCH)
                    && e.condition() == null && e.forEach() == null) {
                problems.add(Problem.error("graph.missing_condition", p, "Edge '" + e.id() + "' is " + e.mode().wireName()
                        + " but has no condition."));
            }
            if (e.joinRule() != JoinRule.DEFAULT) {
                JoinRule prev = joinByTarget.putIfAbsent(e.to(), e.joinRule());
                if (prev != null && prev != e.joinRule()) {
                    problems.add(Problem.warning("graph.join_conflict", p, "Edges into '" + e.to()
                            + "' disagree on the join rule (" + prev + " and " + e.joinRule() + "); the first one is used."));
                }
            }
        }
        WorkflowGraph graph = WorkflowGraph.of(nodes, edges, anyEdgeClosesCycles);
        Map<String, Integer> edgeIndex = new HashMap<>();
        for (int i = 0; i < edges.size(); i++) {
            edgeIndex.putIfAbsent(edges.get(i).id(), i);
        }
        for (Edge back : graph.unboundedBackEdges()) {
            problems.add(Problem.error("graph.unbounded_cycle", edgePointers.get(edgeIndex.get(back.id())),
                    "Edge '" + back.id() + "' (" + back.from() + " → " + back.to() + ") closes a cycle, but it is "
                            + back.mode().wireName() + "; only loop, conditional, switch, fallback, error and timeout edges"
                            + " may close a cycle, because they are bounded by the loop limit."));
        }
        for (Edge e : edges) {
            if (e.forEach() != null && graph.isLoopEdge(e)) {
                // A back edge runs its body once before the edge is reached, so it cannot run the body once per
                // element (nor skip it for an empty list).
                problems.add(Problem.error("osop.for_each_cycle", edgePointers.get(edgeIndex.get(e.id())) + "/for_each",
                        "Edge " + e.from() + " → " + e.to() + " closes a cycle; a for_each loop edge must point forward,"
                                + " from the node that produces the list to the node that runs once per element."));
            } else if (e.mode() == EdgeMode.LOOP && !graph.isLoopEdge(e) && e.forEach() == null
                    && firstNode.containsKey(e.from()) && firstNode.containsKey(e.to())) {
                problems.add(Problem.warning("graph.loop_not_cycle", edgePointers.get(edgeIndex.get(e.id())),
                        "Loop edge '" + e.id() + "' does not lead back to an earlier node; it is followed like a conditional edge."));
            }
        }
        Set<String> entries = new LinkedHashSet<>();
        for (String id : entryNodeIds) {
            if (firstNode.containsKey(id)) {
                entries.add(id);
            }
        }
        if (!entries.isEmpty()) {
            Set<String> reached = graph.reachableAny(entries);
            for (int i = 0; i < nodes.size(); i++) {
                if (!reached.contains(nodes.get(i).id())) {
                    problems.add(Problem.error("graph.unreachable", nodePointers.get(i), "Node '" + nodes.get(i).id()
                            + "' cannot be reached from the entry node(s) " + entries + "."));
                }
            }
        }
        return problems;
    }
}
