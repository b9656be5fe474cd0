package dev.capstan.workflow.state;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * Node id → node state, persistent like {@link PersistentMap}, that also counts nodes per status so the decider
 * can tell "every node is done" or "nothing is in flight" without looking at every node.
 */
final class NodeStateMap extends AbstractMap<String, NodeState> {

    private static final NodeStateMap EMPTY = new NodeStateMap(PersistentMap.empty(), new int[NodeStatus.values().length]);

    private final PersistentMap<String, NodeState> map;
    private final int[] counts;

    private NodeStateMap(PersistentMap<String, NodeState> map, int[] counts) {
        this.map = map;
        this.counts = counts;
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
        return new NodeStateMap(map.plus(nodeId, state), c);
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
