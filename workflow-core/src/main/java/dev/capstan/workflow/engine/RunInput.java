package dev.capstan.workflow.engine;

import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.Values;
import dev.capstan.workflow.state.RunOptions;
import java.util.List;
import java.util.Map;

/** Something that happened to a run and needs a decision. */
public sealed interface RunInput {

    /**
     * @param tags     the run's tags, recorded on {@code run.started} (webhook subscriptions filter on them)
     * @param metadata the caller's metadata for the run, recorded on {@code run.started}
     */
    record Start(Map<String, Object> inputs, RunOptions options, List<String> tags, Map<String, Object> metadata)
            implements RunInput {
        public Start {
            inputs = Values.freezeMap(inputs);
            options = options == null ? RunOptions.DEFAULTS : options;
            tags = tags == null ? List.of() : List.copyOf(tags);
            metadata = Values.freezeMap(metadata);
        }

        public Start(Map<String, Object> inputs, RunOptions options) {
            this(inputs, options, List.of(), Map.of());
        }
    }

    /** An executor finished attempt {@code attempt} of a node. {@code variables} are workflow-variable updates. */
    record NodeCompleted(String nodeId, int attempt, Map<String, Object> outputs, CostTotals cost,
                         Map<String, Object> variables) implements RunInput {
        public NodeCompleted {
            outputs = Values.freezeMap(outputs);
            variables = Values.freezeMap(variables);
        }

        public NodeCompleted(String nodeId, int attempt, Map<String, Object> outputs) {
            this(nodeId, attempt, outputs, null, Map.of());
        }
    }

    record NodeFailed(String nodeId, int attempt, ErrorInfo error, CostTotals cost) implements RunInput {
        public NodeFailed(String nodeId, int attempt, ErrorInfo error) {
            this(nodeId, attempt, error, null);
        }
    }

    record TimerFired(TimerKind kind, String nodeId, int attempt) implements RunInput {
    }

    record InterruptResolved(String nodeId, Object resumeValue, String resolvedBy) implements RunInput {
        public InterruptResolved {
            resumeValue = Values.freeze(resumeValue);
        }
    }

    /**
     * @param drain false: stop now (in-flight nodes are cancelled, run.cancelled at once); true: the run goes to
     *              {@code cancelling}, in-flight nodes are asked to stop, and run.cancelled follows when the last one
     *              has reported (a second cancel without drain ends it at once)
     */
    record Cancel(String reason, String cancelledBy, boolean drain) implements RunInput {
        public Cancel(String reason, String cancelledBy) {
            this(reason, cancelledBy, false);
        }
    }

    record Pause(String reason, DrainPolicy drainPolicy) implements RunInput {
        public Pause {
            drainPolicy = drainPolicy == null ? DrainPolicy.DRAIN_CURRENT_NODE : drainPolicy;
        }
    }

    record Resume(String reason) implements RunInput {
    }

    /**
     * Re-issues the commands for work the state says is in flight (dispatches, interrupts, timers) without new events
     * for it, then continues. For crash recovery and for continuing a fork; executors dedupe on the idempotency key.
     */
    record Reconcile() implements RunInput {
    }
}
