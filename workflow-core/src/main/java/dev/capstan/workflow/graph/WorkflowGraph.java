package dev.capstan.workflow.graph;

import dev.capstan.workflow.model.Edge;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.JoinRule;
import dev.capstan.workflow.model.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Indexes over a workflow's nodes and edges, computed once. Edges that close a cycle ("back edges", found by a
 * depth-first walk that starts from entry nodes) are loop edges: they re-enter a loop body instead of feeding
 * a join, so the remaining "forward" graph is acyclic. Tolerates broken input (duplicates, dangling edges),
 * because the graph checker uses it to find exactly those.
 */
public final class WorkflowGraph {

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, List<Edge>> outgoing = new HashMap<>();
    private final Map<String, List<Edge>> incomingForward = new HashMap<>();
    private final Set<String> loopEdgeIds = new HashSet<>();
    private final Map<String, Set<String>> loopBodies = new HashMap<>();
    private final List<Edge> unboundedBackEdges = new ArrayList<>();
    private final List<String> roots = new ArrayList<>();
    private final List<String> topologicalOrder = new ArrayList<>();
    private final List<String> topologicalView = Collections.unmodifiableList(topologicalOrder);
    private final Map<String, Integer> topologicalIndex = new HashMap<>();
    private final Map<String, List<String>> forwardSuccessors = new HashMap<>();
    private final Map<String, JoinRule> joinRules = new HashMap<>();
    private final Map<String, Integer> joinCounts = new HashMap<>();

    private final boolean anyEdgeClosesCycles;

    private WorkflowGraph(List<Node> nodeList, List<Edge> edges, boolean anyEdgeClosesCycles) {
        this.anyEdgeClosesCycles = anyEdgeClosesCycles;
        for (Node n : nodeList) {
            nodes.putIfAbsent(n.id(), n);
        }
        Map<String, List<Edge>> incomingAll = new HashMap<>();
        for (Edge e : edges) {
            if (!nodes.containsKey(e.from()) || !nodes.containsKey(e.to())) {
                continue;
            }
            outgoing.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e);
            incomingAll.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e);
        }
        findBackEdges(incomingAll);
        classifyDeclaredLoops(edges);
        for (Edge e : edges) {
            if (nodes.containsKey(e.from()) && nodes.containsKey(e.to()) && !loopEdgeIds.contains(e.id())) {
                incomingForward.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e);
            }
        }
        for (String id : nodes.keySet()) {
            if (incomingForward(id).isEmpty()) {
                roots.add(id);
            }
        }
        topologicalSort();
        for (int i = 0; i < topologicalOrder.size(); i++) {
            topologicalIndex.put(topologicalOrder.get(i), i);
        }
        for (Map.Entry<String, List<Edge>> in : incomingForward.entrySet()) {
            for (Edge e : in.getValue()) {
                if (e.joinRule() != JoinRule.DEFAULT) {
                    joinRules.putIfAbsent(in.getKey(), e.joinRule());
                }
                if (e.joinCount() != null) {
                    joinCounts.put(in.getKey(), e.joinCount());
                }
            }
        }
        for (String id : nodes.keySet()) {
            Set<String> next = new LinkedHashSet<>();
            for (Edge e : outgoing(id)) {
                if (!loopEdgeIds.contains(e.id())) {
                    next.add(e.to());
                }
            }
            if (!next.isEmpty()) {
                forwardSuccessors.put(id, List.copyOf(next));
            }
        }
        for (Edge e : edges) {
            if (loopEdgeIds.contains(e.id())) {
                loopBodies.put(e.id(), Collections.unmodifiableSet(body(e.to(), e.from())));
            }
        }
    }

    /**
     * @param anyEdgeClosesCycles true for OpenWOP, where any edge may loop back (the node-execution cap bounds it);
     *                            false for OSOP, where only loop/conditional/switch/failure edges may
     */
    public static WorkflowGraph of(List<Node> nodes, List<Edge> edges, boolean anyEdgeClosesCycles) {
        return new WorkflowGraph(nodes, edges, anyEdgeClosesCycles);
    }

    private void findBackEdges(Map<String, List<Edge>> incomingAll) {
        List<String> starts = new ArrayList<>();
        List<String> second = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String id : nodes.keySet()) {
            List<Edge> in = incomingAll.getOrDefault(id, List.of());
            if (in.isEmpty()) {
                starts.add(id);
            } else if (in.stream().allMatch(e -> e.mode() == EdgeMode.LOOP || e.mode().isFailurePath())) {
                second.add(id);
            } else {
                rest.add(id);
            }
        }
        starts.addAll(second);
        starts.addAll(rest);
        Map<String, Integer> colour = new HashMap<>(); // absent = unvisited, 1 = on stack, 2 = done
        for (String start : starts) {
            if (colour.containsKey(start)) {
                continue;
            }
            // Iterative DFS so a 10,000-node chain does not overflow the stack.
            Deque<Object[]> stack = new ArrayDeque<>();
            stack.push(new Object[] {start, 0});
            colour.put(start, 1);
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                String id = (String) frame[0];
                int i = (Integer) frame[1];
                List<Edge> out = outgoing.getOrDefault(id, List.of());
                if (i >= out.size()) {
                    colour.put(id, 2);
                    stack.pop();
                    continue;
                }
                frame[1] = i + 1;
                Edge e = out.get(i);
                if (e.mode() == EdgeMode.LOOP) {
                    // Declared loop edges are classified after the walk: following one here could make the walk
                    // enter the loop body from its tail and blame a sequential edge of the body for the cycle.
                    continue;
                }
                Integer c = colour.get(e.to());
                if (c == null) {
                    colour.put(e.to(), 1);
                    stack.push(new Object[] {e.to(), 0});
                } else if (c == 1) {
                    if (anyEdgeClosesCycles || e.mode().mayCloseCycle()) {
                        loopEdgeIds.add(e.id());
                    } else {
                        unboundedBackEdges.add(e);
                    }
                }
            }
        }
    }

    /** A declared loop edge is a loop edge when it closes a cycle: its target reaches its source going forward. */
    private void classifyDeclaredLoops(List<Edge> edges) {
        for (Edge e : edges) {
            if (e.mode() != EdgeMode.LOOP || !nodes.containsKey(e.from()) || !nodes.containsKey(e.to())) {
                continue;
            }
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>();
            todo.add(e.to());
            seen.add(e.to());
            boolean closes = false;
            while (!todo.isEmpty() && !closes) {
                String id = todo.poll();
                closes = id.equals(e.from());
                for (Edge o : outgoing.getOrDefault(id, List.of())) {
                    if (o.mode() != EdgeMode.LOOP && !loopEdgeIds.contains(o.id()) && seen.add(o.to())) {
                        todo.add(o.to());
                    }
                }
            }
            if (closes) {
                loopEdgeIds.add(e.id());
            }
        }
    }

    private void topologicalSort() {
        Map<String, Integer> indegree = new HashMap<>();
        for (String id : nodes.keySet()) {
            indegree.put(id, incomingForward(id).size());
        }
        Deque<String> ready = new ArrayDeque<>();
        for (String id : nodes.keySet()) {
            if (indegree.get(id) == 0) {
                ready.add(id);
            }
        }
        while (!ready.isEmpty()) {
            String id = ready.poll();
            topologicalOrder.add(id);
            for (Edge e : outgoing(id)) {
                if (loopEdgeIds.contains(e.id())) {
                    continue;
                }
                int d = indegree.merge(e.to(), -1, Integer::sum);
                if (d == 0) {
                    ready.add(e.to());
                }
            }
        }
    }

    /** Nodes on a forward path from {@code head} to {@code tail}, both included. */
    private Set<String> body(String head, String tail) {
        Set<String> fromHead = reachableForward(head);
        Set<String> result = new LinkedHashSet<>();
        // reverse reachability from tail over forward edges
        Deque<String> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.add(tail);
        seen.add(tail);
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (fromHead.contains(id)) {
                result.add(id);
            }
            for (Edge e : incomingForward(id)) {
                if (seen.add(e.from())) {
                    todo.add(e.from());
                }
            }
        }
        result.add(head);
        result.add(tail);
        return result;
    }

    public Set<String> reachableForward(String from) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(from);
        seen.add(from);
        while (!todo.isEmpty()) {
            String id = todo.poll();
            for (Edge e : outgoing(id)) {
                if (!loopEdgeIds.contains(e.id()) && seen.add(e.to())) {
                    todo.add(e.to());
                }
            }
        }
        return seen;
    }

    /** Every node reachable from {@code from} over any edge, loop edges included. */
    public Set<String> reachableAny(Set<String> from) {
        Set<String> seen = new LinkedHashSet<>(from);
        Deque<String> todo = new ArrayDeque<>(from);
        while (!todo.isEmpty()) {
            for (Edge e : outgoing(todo.poll())) {
                if (seen.add(e.to())) {
                    todo.add(e.to());
                }
            }
        }
        return seen;
    }

    public Node node(String id) {
        return nodes.get(id);
    }

    public boolean contains(String id) {
        return nodes.containsKey(id);
    }

    public List<Edge> outgoing(String nodeId) {
        return outgoing.getOrDefault(nodeId, List.of());
    }

    /** Incoming edges that feed the node's join (loop edges excluded). */
    public List<Edge> incomingForward(String nodeId) {
        return incomingForward.getOrDefault(nodeId, List.of());
    }

    public boolean isLoopEdge(Edge e) {
        return loopEdgeIds.contains(e.id());
    }

    /** The nodes a loop edge resets when it re-enters: from its target forward to its source. */
    public Set<String> loopBody(Edge loopEdge) {
        return loopBodies.getOrDefault(loopEdge.id(), Set.of());
    }

    /** Edges that close a cycle but cannot bound it (sequential/parallel/...): a definition error. */
    public List<Edge> unboundedBackEdges() {
        return List.copyOf(unboundedBackEdges);
    }

    /** Nodes with no forward incoming edge: they run when the run starts. */
    public List<String> roots() {
        return List.copyOf(roots);
    }

    /** Forward-graph topological order, ties broken by declaration order (an unmodifiable view, not a copy). */
    public List<String> topologicalOrder() {
        return topologicalView;
    }

    /** The node's position in {@link #topologicalOrder()}, or -1 when it has none (not in the forward graph). */
    public int topologicalIndex(String nodeId) {
        Integer i = topologicalIndex.get(nodeId);
        return i == null ? -1 : i;
    }

    /** The join rule of the node: the first non-default rule on its forward incoming edges, else DEFAULT. */
    public JoinRule joinRule(String nodeId) {
        return joinRules.getOrDefault(nodeId, JoinRule.DEFAULT);
    }

    /** The n of an {@code AT_LEAST_N} join (the last count given on an incoming edge), or null. */
    public Integer joinCount(String nodeId) {
        return joinCounts.get(nodeId);
    }

    /** Distinct targets of the node's forward (non-loop) edges: the nodes whose join its outcome can decide. */
    public List<String> forwardSuccessors(String nodeId) {
        return forwardSuccessors.getOrDefault(nodeId, List.of());
    }

    public int nodeCount() {
        return nodes.size();
    }
}
