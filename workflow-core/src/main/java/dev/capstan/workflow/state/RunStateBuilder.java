package dev.capstan.workflow.state;

import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.Values;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The event appliers: the only code that changes run state. Mutable while folding, frozen by {@link #build()}.
 * Appliers read only the event, never the definition, so any log can be folded without the workflow at hand.
 */
public final class RunStateBuilder {

    /** Key prefix under which {@code loopIterations} counts an approval gate's refine rounds. */
    public static final String REFINE_ROUNDS_PREFIX = "refine:";

    private String runId;
    private String workflowId;
    private RunStatus status;
    private long nextSequence;
    private Instant startedAt;
    private Instant endedAt;
    private Map<String, Object> inputs;
    // Persistent maps, edited in place and merged by build(): neither starting a decision from a state nor
    // building one costs a copy of every node, and a fold of n events does O(1) hash-map work per event.
    private PersistentMap<String, Object> variables;
    private final NodeStateMap.Editor nodes;
    private PersistentMap<String, OpenInterrupt> interrupts;
    private PersistentMap<String, Integer> loopIterations;
    private PersistentMap<String, LoopPosition> loops;
    private int nodeExecutions;
    private CostTotals cost;
    private ErrorInfo error;
    private RunOptions options;
    private Map<String, Object> outputs;
    private String drainPolicy;
    private String currentNodeId;
    private String forkedFrom;
    private boolean paused;
    private Map<String, Object> cancellation;
    private final PersistentMap.Editor<String, CostTotals> nodeCosts;

    public RunStateBuilder(RunState s) {
        runId = s.runId();
        workflowId = s.workflowId();
        status = s.status();
        nextSequence = s.nextSequence();
        startedAt = s.startedAt();
        endedAt = s.endedAt();
        inputs = s.inputs();
        variables = PersistentMap.copyOf(s.variables());
        nodes = NodeStateMap.copyOf(s.nodes()).editor();
        interrupts = PersistentMap.copyOf(s.interrupts());
        loopIterations = PersistentMap.copyOf(s.loopIterations());
        loops = PersistentMap.copyOf(s.loops());
        nodeExecutions = s.nodeExecutions();
        cost = s.cost();
        error = s.error();
        options = s.options();
        outputs = s.outputs();
        drainPolicy = s.drainPolicy();
        currentNodeId = s.currentNodeId();
        forkedFrom = s.forkedFrom();
        paused = s.status() == RunStatus.PAUSED;
        cancellation = s.cancellation();
        nodeCosts = PersistentMap.copyOf(s.nodeCosts()).editor();
    }

    public RunState build() {
        return new RunState(runId, workflowId, status, nextSequence, startedAt, endedAt, inputs, variables, nodes.build(),
                interrupts, loopIterations, nodeExecutions, cost, error, options, outputs, drainPolicy, currentNodeId,
                forkedFrom, nodeCosts.build(), status == RunStatus.CANCELLING ? cancellation : null, loops);
    }

    // --- read access for the decider (same values build() would return) ---

    public RunStatus status() {
        return status;
    }

    public long nextSequence() {
        return nextSequence;
    }

    public String runId() {
        return runId;
    }

    public NodeState node(String id) {
        NodeState n = nodes.get(id);
        return n == null ? NodeState.idle(id) : n;
    }

    /** The nodes as they stand; iterating merges the pending changes (O(nodes)), looking one up does not. */
    public Map<String, NodeState> nodes() {
        return new java.util.AbstractMap<>() {
            @Override
            public NodeState get(Object key) {
                return nodes.get(key);
            }

            @Override
            public boolean containsKey(Object key) {
                return nodes.get(key) != null;
            }

            @Override
            public java.util.Set<Entry<String, NodeState>> entrySet() {
                return nodes.build().entrySet();
            }
        };
    }

    public Map<String, OpenInterrupt> interrupts() {
        return interrupts;
    }

    public Map<String, Object> variables() {
        return variables;
    }

    public Map<String, Object> inputs() {
        return inputs;
    }

    /** Where the node stands in a for_each / spawn_count run of visits, or null. */
    public LoopPosition loopPosition(String nodeId) {
        return loops.get(nodeId);
    }

    public int loopIterations(String edgeId) {
        return loopIterations.getOrDefault(edgeId, 0);
    }

    /** How many of the run's nodes have this status; nodes never started count as neither (they are idle). */
    public int countNodes(NodeStatus s) {
        return nodes.count(s);
    }

    /** A search hint for the decider's join check (see {@link NodeStateMap}); never affects a decision. */
    public int joinHint(String nodeId) {
        return nodes.joinHint(nodeId);
    }

    public void joinHint(String nodeId, int hint) {
        nodes.joinHint(nodeId, hint);
    }

    public int nodeExecutions() {
        return nodeExecutions;
    }

    public CostTotals cost() {
        return cost;
    }

    public RunOptions options() {
        return options;
    }

    /** While cancelling: the cancel's payload (reason, cancelledBy); otherwise null. */
    public Map<String, Object> cancellation() {
        return cancellation;
    }

    public Instant startedAt() {
        return startedAt;
    }

    // --- appliers ---

    /** Applies one event. Events must arrive in sequence order; anything else is a corrupt log. */
    public void apply(RunEvent e) {
        if (e.sequence() != nextSequence) {
            throw new IllegalArgumentException("event " + e.eventId() + " has sequence " + e.sequence() + ", expected "
                    + nextSequence);
        }
        nextSequence++;
        Map<String, Object> p = e.payload();
        String nodeId = e.nodeId() != null ? e.nodeId() : (String) p.get("nodeId");
        switch (e.type()) {
            case EventTypes.RUN_STARTED -> {
                runId = e.runId();
                workflowId = (String) p.get("workflowId");
                startedAt = e.timestamp();
                inputs = Values.asMap(p.get("inputs"));
                variables = PersistentMap.empty();
                for (Map.Entry<String, Object> v : Values.asMap(p.get("variables")).entrySet()) {
                    variables = variables.plus(v.getKey(), Values.freeze(v.getValue()));
                }
                options = RunOptions.fromMap(Values.asMap(p.get("options")));
            }
            case EventTypes.RUN_FORKED -> {
                runId = e.runId();
                forkedFrom = (String) p.get("sourceRunId");
                options = options.overlay(RunOptions.fromMap(Values.asMap(p.get("optionsOverlay"))));
            }
            case EventTypes.NODE_STARTED -> {
                NodeState n = node(nodeId);
                int attempt = Values.asLong(p.get("attempt")).intValue();
                nodes.put(nodeId, new NodeState(nodeId, NodeStatus.RUNNING, attempt, n.retriesThisVisit(),
                        n.executions() + 1, n.interrupts(), Map.of(), null, e.timestamp(), null, (String) p.get("typeId")));
                nodeExecutions++;
                currentNodeId = nodeId;
            }
            case EventTypes.NODE_COMPLETED -> {
                NodeState n = node(nodeId);
                nodes.put(nodeId, new NodeState(nodeId, NodeStatus.COMPLETED, n.attempt(), n.retriesThisVisit(),
                        n.executions(), n.interrupts(), Values.asMap(p.get("outputs")), null, n.startedAt(), null,
                        n.typeId(), e.timestamp()));
                addCost(nodeId, p);
                interrupts = interrupts.minus(nodeId);
            }
            case EventTypes.NODE_FAILED -> {
                NodeState n = node(nodeId);
                nodes.put(nodeId, new NodeState(nodeId, NodeStatus.FAILED, n.attempt(), n.retriesThisVisit(),
                        n.executions(), n.interrupts(), Map.of(), ErrorInfo.fromMap(Values.asMap(p.get("error"))),
                        n.startedAt(), null, n.typeId(), e.timestamp()));
                addCost(nodeId, p);
                interrupts = interrupts.minus(nodeId);
            }
            case EventTypes.NODE_RETRIED -> {
                NodeState n = node(nodeId);
                long delay = Values.asLong(p.getOrDefault("delayMs", 0L));
                addCost(nodeId, p);
                nodes.put(nodeId, new NodeState(nodeId, NodeStatus.RETRY_WAIT, n.attempt(), n.retriesThisVisit() + 1,
                        n.executions(), n.interrupts(), Map.of(), ErrorInfo.fromMap(Values.asMap(p.get("lastError"))),
                        n.startedAt(), e.timestamp().plusMillis(delay), n.typeId()));
            }
            case EventTypes.NODE_SKIPPED -> setStatus(nodeId, NodeStatus.SKIPPED);
            case EventTypes.NODE_CANCELLED -> {
                // A pause with the "immediate" drain policy cancels in-flight work to redo it on resume.
                setStatus(nodeId, Boolean.TRUE.equals(p.get("requeue")) ? NodeStatus.IDLE : NodeStatus.CANCELLED);
                interrupts = interrupts.minus(nodeId);
            }
            case EventTypes.INTERRUPT_REQUESTED -> {
                interrupts = interrupts.plus(nodeId, new OpenInterrupt(null, nodeId, InterruptKind.parse((String) p.get("kind")),
                        (String) p.get("key"), Values.asMap(p.get("resumeSchema")), false));
                NodeState n = node(nodeId);
                nodes.put(nodeId, new NodeState(nodeId, n.status(), n.attempt(), n.retriesThisVisit(), n.executions(),
                        n.interrupts() + 1, n.outputs(), n.error(), n.startedAt(), null, n.typeId()));
                currentNodeId = nodeId;
            }
            case EventTypes.NODE_SUSPENDED -> {
                boolean before = Boolean.TRUE.equals(p.get("beforeDispatch"));
                OpenInterrupt i = interrupts.get(nodeId);
                if (i != null) {
                    interrupts = interrupts.plus(nodeId, new OpenInterrupt((String) p.get("interruptId"), nodeId, i.kind(), i.key(),
                            i.resumeSchema(), before));
                }
                NodeStatus current = node(nodeId).status();
                if (before) {
                    setStatus(nodeId, NodeStatus.AWAITING_APPROVAL);
                } else if (current == NodeStatus.RUNNING) {
                    setStatus(nodeId, NodeStatus.SUSPENDED);
                }
            }
            case EventTypes.INTERRUPT_RESOLVED -> interrupts = interrupts.minus(nodeId);
            case EventTypes.VARIABLE_CHANGED -> variables = variables.plus((String) p.get("name"), Values.freeze(p.get("next")));
            case EventTypes.LOOP_REENTERED -> {
                String edgeId = (String) p.get("edgeId");
                LoopPosition before = p.get("toNodeId") instanceof String t ? loops.get(t) : null;
                loopIterations = loopIterations.plus(edgeId, Values.asLong(p.get("iteration")).intValue());
                for (Object id : (List<?>) p.getOrDefault("resetNodeIds", List.of())) {
                    loops = loops.minus((String) id); // an outer loop starts the node's visits afresh
                }
                if (p.get("count") instanceof Number count) {
                    // A for_each / spawn_count visit: index 0 records the list (or count), later ones move on.
                    String target = (String) p.get("toNodeId");
                    int index = Values.asLong(p.get("index")).intValue();
                    List<Object> items = index == 0 || before == null ? listOrNull(p.get("items")) : before.items();
                    loops = loops.plus(target, new LoopPosition(edgeId, (String) p.get("iteratorVar"), items, index,
                            count.intValue()));
                }
                resetNodes(p);
            }
            case EventTypes.APPROVAL_REFINED -> {
                loopIterations = loopIterations.plus(REFINE_ROUNDS_PREFIX + nodeId, Values.asLong(p.get("round")).intValue());
                resetNodes(p);
            }
            case EventTypes.RUN_CANCELLING -> cancellation = p;
            case EventTypes.APPROVAL_RECEIVED -> {
                OpenInterrupt i = interrupts.get(nodeId);
                if (i != null && p.get("decidedBy") instanceof String voter) {
                    interrupts = interrupts.plus(nodeId, i.withVote(voter, String.valueOf(p.get("action"))));
                }
            }
            case EventTypes.RUN_PAUSED -> {
                paused = true;
                drainPolicy = (String) p.getOrDefault("drainPolicy", "drain-current-node");
            }
            case EventTypes.RUN_RESUMED -> {
                paused = false;
                drainPolicy = null;
            }
            case EventTypes.RUN_COMPLETED -> {
                status = RunStatus.COMPLETED;
                outputs = Values.asMap(p.get("outputs"));
                endedAt = e.timestamp();
            }
            case EventTypes.RUN_FAILED -> {
                status = RunStatus.FAILED;
                error = ErrorInfo.fromMap(Values.asMap(p.get("error")));
                endedAt = e.timestamp();
            }
            case EventTypes.RUN_CANCELLED -> {
                status = RunStatus.CANCELLED;
                endedAt = e.timestamp();
            }
            default -> {
                // node.resumed, cap.breached and unknown types carry no state (readers tolerate unknown types).
            }
        }
        if (!status.isTerminal()) {
            status = derivedStatus();
        }
    }

    /** Puts the event's {@code resetNodeIds} back to idle for another run (attempts and counts are kept). */
    private void resetNodes(Map<String, Object> p) {
        for (Object id : (List<?>) p.getOrDefault("resetNodeIds", List.of())) {
            NodeState n = node((String) id);
            nodes.put(n.nodeId(), new NodeState(n.nodeId(), NodeStatus.IDLE, n.attempt(), 0, n.executions(),
                    n.interrupts(), Map.of(), null, null, null, n.typeId()));
            interrupts = interrupts.minus(n.nodeId());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> listOrNull(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : null;
    }

    private void addCost(String nodeId, Map<String, Object> payload) {
        if (payload.get("cost") instanceof Map<?, ?>) {
            CostTotals c = CostTotals.fromMap(Values.asMap(payload.get("cost")));
            cost = cost.plus(c);
            CostTotals before = nodeCosts.get(nodeId);
            nodeCosts.put(nodeId, before == null ? c : before.plus(c));
        }
    }

    private RunStatus derivedStatus() {
        if (cancellation != null) {
            return RunStatus.CANCELLING;
        }
        if (paused) {
            return RunStatus.PAUSED;
        }
        if (startedAt == null) {
            return RunStatus.PENDING;
        }
        if (!interrupts.isEmpty()) { // asked first: this runs after every event, and most runs wait for nothing
            return interrupts.values().iterator().next().kind().waitingStatus();
        }
        return RunStatus.RUNNING;
    }

    private void setStatus(String nodeId, NodeStatus s) {
        NodeState n = node(nodeId);
        nodes.put(nodeId, new NodeState(nodeId, s, n.attempt(), n.retriesThisVisit(), n.executions(), n.interrupts(),
                n.outputs(), n.error(), n.startedAt(), null, n.typeId()));
    }
}
