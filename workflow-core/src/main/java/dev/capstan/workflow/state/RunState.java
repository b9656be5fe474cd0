package dev.capstan.workflow.state;

import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.Values;
import java.time.Instant;
import java.util.Map;

/**
 * A run's state: nothing but the fold of its event log ({@link RunFold}). Immutable.
 *
 * @param nextSequence   the sequence the next event gets
 * @param nodeExecutions node starts so far (the node-execution cap counts these)
 * @param loopIterations loop edge id → re-entries so far; {@code refine:<node>} → refine rounds of that approval
 * @param interrupts     node id → its open interrupt
 * @param drainPolicy    while paused: "immediate" or "drain-current-node"
 * @param currentNodeId  the node that last started or holds an interrupt
 * @param nodeCosts      node id → what that node reported spending (all its attempts)
 * @param cancellation   while {@code cancelling}: the cancel's reason and cancelledBy, for the run.cancelled to come
 * @param loops          node id → where the node stands in a for_each / spawn_count run of visits
 */
public record RunState(String runId, String workflowId, RunStatus status, long nextSequence, Instant startedAt,
                       Instant endedAt, Map<String, Object> inputs, Map<String, Object> variables,
                       Map<String, NodeState> nodes, Map<String, OpenInterrupt> interrupts,
                       Map<String, Integer> loopIterations, int nodeExecutions, CostTotals cost, ErrorInfo error,
                       RunOptions options, Map<String, Object> outputs, String drainPolicy, String currentNodeId,
                       String forkedFrom, Map<String, CostTotals> nodeCosts, Map<String, Object> cancellation,
                       Map<String, LoopPosition> loops) {

    public RunState {
        loops = loops == null ? PersistentMap.empty() : PersistentMap.copyOf(loops);
        inputs = Values.freezeMap(inputs);
        // Persistent maps are kept as they are: the decider builds a new state per input, and copying every node
        // each time would make a run of n nodes cost O(n^2).
        variables = variables instanceof PersistentMap<String, Object> pv ? pv
                : PersistentMap.copyOf(Values.freezeMap(variables));
        nodes = NodeStateMap.copyOf(nodes);
        interrupts = PersistentMap.copyOf(interrupts);
        loopIterations = PersistentMap.copyOf(loopIterations);
        outputs = Values.freezeMap(outputs);
        cost = cost == null ? CostTotals.ZERO : cost;
        options = options == null ? RunOptions.DEFAULTS : options;
        nodeCosts = nodeCosts == null ? PersistentMap.empty() : PersistentMap.copyOf(nodeCosts);
        cancellation = cancellation == null ? null : Values.freezeMap(cancellation);
    }

    /** The state without for_each / spawn positions (the signature before {@code loops} was added). */
    public RunState(String runId, String workflowId, RunStatus status, long nextSequence, Instant startedAt,
                    Instant endedAt, Map<String, Object> inputs, Map<String, Object> variables,
                    Map<String, NodeState> nodes, Map<String, OpenInterrupt> interrupts,
                    Map<String, Integer> loopIterations, int nodeExecutions, CostTotals cost, ErrorInfo error,
                    RunOptions options, Map<String, Object> outputs, String drainPolicy, String currentNodeId,
                    String forkedFrom, Map<String, CostTotals> nodeCosts, Map<String, Object> cancellation) {
        this(runId, workflowId, status, nextSequence, startedAt, endedAt, inputs, variables, nodes, interrupts,
                loopIterations, nodeExecutions, cost, error, options, outputs, drainPolicy, currentNodeId, forkedFrom,
                nodeCosts, cancellation, null);
    }

    /** The state without a pending cancellation (the signature before {@code cancellation} was added). */
    public RunState(String runId, String workflowId, RunStatus status, long nextSequence, Instant startedAt,
                    Instant endedAt, Map<String, Object> inputs, Map<String, Object> variables,
                    Map<String, NodeState> nodes, Map<String, OpenInterrupt> interrupts,
                    Map<String, Integer> loopIterations, int nodeExecutions, CostTotals cost, ErrorInfo error,
                    RunOptions options, Map<String, Object> outputs, String drainPolicy, String currentNodeId,
                    String forkedFrom, Map<String, CostTotals> nodeCosts) {
        this(runId, workflowId, status, nextSequence, startedAt, endedAt, inputs, variables, nodes, interrupts,
                loopIterations, nodeExecutions, cost, error, options, outputs, drainPolicy, currentNodeId, forkedFrom,
                nodeCosts, null, null);
    }

    /** The state of a run that has no events yet. */
    public static RunState initial(String runId, String workflowId) {
        return new RunState(runId, workflowId, RunStatus.PENDING, 0, null, null, Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of(), 0, CostTotals.ZERO, null, RunOptions.DEFAULTS, Map.of(), null, null, null, Map.of(), null,
                null);
    }

    public NodeState node(String nodeId) {
        NodeState s = nodes.get(nodeId);
        return s == null ? NodeState.idle(nodeId) : s;
    }
}
