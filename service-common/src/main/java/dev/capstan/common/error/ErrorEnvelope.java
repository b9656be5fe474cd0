package dev.capstan.common.error;

import java.util.Map;

/**
 * The OpenWOP error envelope: {@code {"error": code, "message": text, "details": {...}}}.
 * The schema forbids other top-level properties, so anything extra (correlation id, field problems)
 * goes under {@code details}.
 */
public record ErrorEnvelope(String error, String message, Map<String, Object> details) {

    public ErrorEnvelope {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static ErrorEnvelope of(ErrorCode code, String message) {
        return new ErrorEnvelope(code.code(), message, Map.of());
    }
}
