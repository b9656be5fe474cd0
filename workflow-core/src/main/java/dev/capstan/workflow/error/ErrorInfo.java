package dev.capstan.workflow.error;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The OpenWOP error object ({@code {code, message, details, retryable}}) used by node and run failures.
 */
public record ErrorInfo(String code, String message, Map<String, Object> details, boolean retryable) {

    public static final String RECURSION_LIMIT_EXCEEDED = "recursion_limit_exceeded";
    public static final String RUN_TIMEOUT = "run_timeout";
    public static final String LOOP_LIMIT_EXCEEDED = "loop_limit_exceeded";
    public static final String BUDGET_EXHAUSTED = "budget_exhausted";
    public static final String NODE_TIMEOUT = "node_timeout";
    public static final String APPROVAL_REJECTED = "approval_rejected";
    public static final String REPLAY_SOURCE_MISSING = "replay_source_missing";

    public ErrorInfo {
        Objects.requireNonNull(code, "code");
        message = message == null || message.isBlank() ? code : message;
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static ErrorInfo of(String code, String message) {
        return new ErrorInfo(code, message, Map.of(), false);
    }

    public static ErrorInfo retryable(String code, String message) {
        return new ErrorInfo(code, message, Map.of(), true);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", code);
        m.put("message", message);
        if (!details.isEmpty()) {
            m.put("details", details);
        }
        m.put("retryable", retryable);
        return java.util.Collections.unmodifiableMap(m);
    }

    @SuppressWarnings("unchecked")
    public static ErrorInfo fromMap(Map<String, Object> m) {
        Object details = m.get("details");
        return new ErrorInfo(String.valueOf(m.get("code")), (String) m.get("message"),
                details instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of(),
                Boolean.TRUE.equals(m.get("retryable")));
    }
}
