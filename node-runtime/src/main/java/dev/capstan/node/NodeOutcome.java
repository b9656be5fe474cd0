package dev.capstan.node;

import java.util.LinkedHashMap;
import java.util.Map;

/** What one attempt of a node did, before it becomes a {@code NodeResultMessage}. */
public sealed interface NodeOutcome {

    /** Cost {@code {usd, inputTokens, outputTokens, model, provider}} or null; HTTP {@code {status, preview}} or null. */
    Map<String, Object> cost();

    Map<String, Object> http();

    /** {@code variables}: run variables the node sets ({@code {name: value}}), or null. */
    record Completed(Map<String, Object> outputs, Map<String, Object> cost, Map<String, Object> http,
                     Map<String, Object> variables) implements NodeOutcome {
        public Completed(Map<String, Object> outputs) {
            this(outputs, null, null, null);
        }

        public Completed(Map<String, Object> outputs, Map<String, Object> cost, Map<String, Object> http) {
            this(outputs, cost, http, null);
        }
    }

    record Failed(NodeError error, Map<String, Object> cost, Map<String, Object> http) implements NodeOutcome {
        public Failed(NodeError error) {
            this(error, null, null);
        }
    }

    /** The node asks run-service for an interrupt: {@code {kind, data, resumeSchema?, timeoutMs?}}. */
    record Suspended(Map<String, Object> interrupt) implements NodeOutcome {
        @Override
        public Map<String, Object> cost() {
            return null;
        }

        @Override
        public Map<String, Object> http() {
            return null;
        }
    }

    /** The {@code error} of a failed result: a stable code, a message without secret values, and whether a retry may help. */
    record NodeError(String code, String message, boolean retryable, Map<String, Object> details) {

        public static NodeError of(String code, String message, boolean retryable) {
            return new NodeError(code, message, retryable, Map.of());
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code", code);
            m.put("message", message);
            m.put("retryable", retryable);
            m.put("details", details == null ? Map.of() : details);
            return m;
        }
    }
}
