package dev.capstan.workflow.state;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * Node id → node state, persistent like {@link PersistentMap}, that also counts nodes per status so the decider
 * can tell "every node is done" or "nothing is in flight" without looking at every node.
 */
final class NodeStateMap extends AbstractMap<String, NodeState> {

    private static final NodeStateMap EMPTY = new NodeStateMap(PersistentMap.empty(), new int[NodeStatus.values().length],
            PersistentMap.empty());

    private final PersistentMap<String, NodeState> map;
    private final int[] counts;
    /**
     * Join node id → index of an incoming edge whose source was still unsettled when the join last waited. A
     * search hint only: not part of the map's content or equality, and never changes a decision (a stale hint
     * just means a longer search); it lets a join with a thousand sources wait in O(1) amortised per change.
     */
    private final PersistentMap<String, Integer> joinHints;

    private NodeStateMap(PersistentMap<String, NodeState> map, int[] counts, PersistentMap<String, Integer> joinHints) {
        this.map = map;
        this.counts = counts;
        this.joinHints = joinHints;
    }

    static NodeStateMap copyOf(Map<String, NodeState> source) {
        if (source instanceof NodeStateMap m) {
            return m;
        }
        NodeStateMap m = EMPTY;
        for (Map.Entry<String, NodeState> e : source.entrySet()) {
            m = m.plus(e.getKey(), e.getValue());
        }
        return m;
    }

    NodeStateMap plus(String nodeId, NodeState state) {
        NodeState old = map.get(nodeId);
        int[] c = counts.clone();
        if (old != null) {
            c[old.status().ordinal()]--;
        }
        c[state.status().ordinal()]++;
        return new NodeStateMap(map.plus(nodeId, state), c, joinHints);
    }

    Editor editor() {
        return new Editor(this);
    }

    /** Changes over a node map (see {@link PersistentMap.Editor}), keeping the per-status counts up to date. */
    static final class Editor {
        private final PersistentMap.Editor<String, NodeState> nodes;
        private final int[] counts;
        private PersistentMap<String, Integer> joinHints;

        Editor(NodeStateMap base) {
            this.nodes = base.map.editor();
            this.counts = base.counts.clone();
            this.joinHints = base.joinHints;
        }

        NodeState get(Object nodeId) {
            return nodes.get(nodeId);
        }

        void put(String nodeId, NodeState state) {
            NodeState old = nodes.get(nodeId);
            if (old != null) {
                counts[old.status().ordinal()]--;
            }
            counts[state.status().ordinal()]++;
            nodes.put(nodeId, state);
        }

        int count(NodeStatus status) {
            return counts[status.ordinal()];
        }

        int joinHint(String nodeId) {
            Integer h = joinHints.get(nodeId);
            return h == null ? 0 : h;
        }

        void joinHint(String nodeId, int hint) {
            if (joinHint(nodeId) != hint) {
                joinHints = joinHints.plus(nodeId, hint);
            }
        }

        NodeStateMap build() {
            return new NodeStateMap(nodes.build(), counts.clone(), joinHints);
        }
    }

    int joinHint(String nodeId) {
        Integer h = joinHints.get(nodeId);
        return h == null ? 0 : h;
    }

    NodeStateMap withJoinHint(String nodeId, int hint) {
        return joinHint(nodeId) == hint ? this : new NodeStateMap(map, counts, joinHints.plus(nodeId, hint));
    }

    /** How many recorded nodes have this status (nodes never touched are idle and not recorded). */
    int count(NodeStatus status) {
        return counts[status.ordinal()];
    }

    @Override
    public NodeState get(Object key) {
        return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map.containsKey(key);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public Set<Entry<String, NodeState>> entrySet() {
        return map.entrySet();
    }
}
