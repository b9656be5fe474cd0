package dev.capstan.workflow.engine;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.Values;
import java.time.Instant;
import java.util.Map;

/** Side effects the caller carries out after appending the decision's events (outbox-style). */
public sealed interface Command {

    String runId();

    /**
     * Run one attempt of a node. {@code idempotencyKey} is {@code runId:nodeId:attempt}: an executor that sees it
     * twice must not run the node twice.
     */
    record DispatchNode(String runId, String nodeId, String typeId, int attempt, Map<String, Object> inputs,
                        Map<String, Object> config, Long timeoutMs, String idempotencyKey) implements Command {
        public DispatchNode {
            inputs = Values.freezeMap(inputs);
            config = Values.freezeMap(config);
        }

        /** The idempotency key (invocation id) of attempt {@code attempt} of a node: {@code runId:nodeId:attempt}. */
        public static String idempotencyKey(String runId, String nodeId, int attempt) {
            return runId + ":" + nodeId + ":" + attempt;
        }
    }

    /** Fire {@link RunInput.TimerFired} with these fields at {@code fireAt}. Stale timers are ignored on arrival. */
    record ScheduleTimer(String runId, String timerId, TimerKind kind, String nodeId, int attempt, Instant fireAt)
            implements Command {
    }

    record RequestInterrupt(String runId, String nodeId, String interruptId, InterruptKind kind, String key,
                            Map<String, Object> data, Map<String, Object> resumeSchema, Long timeoutMs) implements Command {
        public RequestInterrupt {
            data = Values.freezeMap(data);
            resumeSchema = Values.freezeMap(resumeSchema);
        }
    }

    record CancelNode(String runId, String nodeId, int attempt, String reason) implements Command {
    }

    record CompleteRun(String runId, Map<String, Object> outputs) implements Command {
        public CompleteRun {
            outputs = Values.freezeMap(outputs);
        }
    }

    record FailRun(String runId, ErrorInfo error) implements Command {
    }

    record CancelRun(String runId, String reason) implements Command {
    }
}
