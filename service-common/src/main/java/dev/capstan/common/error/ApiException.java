package dev.capstan.common.error;

import java.util.Map;

/**
 * A failure the client should see as it is: code, status, a plain sentence and details.
 * Services throw it (or a subclass) for every expected refusal; the error mapper renders it.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final int status;
    private final Map<String, Object> details;

    public ApiException(ErrorCode code, String message) {
        this(code, code.status(), message, Map.of());
    }

    public ApiException(ErrorCode code, String message, Map<String, Object> details) {
        this(code, code.status(), message, details);
    }

    public ApiException(ErrorCode code, int status, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Map<String, Object> details() {
        return details;
    }

    public ErrorEnvelope toEnvelope() {
        return new ErrorEnvelope(code.code(), getMessage(), details);
    }

    public static ApiException notFound(String what) {
        return new ApiException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static ApiException validation(String message, Map<String, Object> details) {
        return new ApiException(ErrorCode.VALIDATION_ERROR, message, details);
    }
}
