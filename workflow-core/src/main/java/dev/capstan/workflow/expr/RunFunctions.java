package dev.capstan.workflow.expr;

import java.time.Instant;
import java.util.Map;

/**
 * What the OSOP helper functions in a condition read from the run: {@code status(id)}, {@code attempt()},
 * {@code error_of(id)}, {@code duration_of(id)} and {@code now()}. The decider supplies them from the run state
 * and its injected clock, so evaluation stays deterministic.
 */
public interface RunFunctions {

    /** Node status as a lowercase word: pending, running, waiting, retrying, completed, failed, skipped, cancelled. */
    String status(String nodeId);

    /** The 1-based attempt of the node the expression belongs to (an edge's source). */
    long attempt();

    /** The node's last error as {@code {code, message, retryable}}, or null. */
    Map<String, Object> errorOf(String nodeId);

    /** Milliseconds from the node's last start to its end (or to now while it runs); 0 if it never started. */
    long durationOf(String nodeId);

    /** The decision's time (the decider's clock), never the wall clock. */
    Instant now();

    /** For evaluation outside a run: every node pending, attempt 1, no errors, the epoch as now. */
    RunFunctions NONE = new RunFunctions() {
        @Override
        public String status(String nodeId) {
            return "pending";
        }

        @Override
        public long attempt() {
            return 1;
        }

        @Override
        public Map<String, Object> errorOf(String nodeId) {
            return null;
        }

        @Override
        public long durationOf(String nodeId) {
            return 0;
        }

        @Override
        public Instant now() {
            return Instant.EPOCH;
        }
    };
}
