package dev.capstan.common.error;

/**
 * Stable error codes of the platform, with the HTTP status each one is sent with by default.
 * The OpenWOP codes come from the error-envelope schema; the HTTP-level ones (405, 406, 413, 415)
 * are Capstan's, for failures the protocol does not name.
 */
public enum ErrorCode {
    VALIDATION_ERROR("validation_error", 400),
    UNSUPPORTED_STREAM_MODE("unsupported_stream_mode", 400),
    WEBHOOK_URL_REJECTED("webhook_url_rejected", 400),
    UNAUTHENTICATED("unauthenticated", 401),
    KEY_EXPIRED("key_expired", 401),
    KEY_REVOKED("key_revoked", 401),
    FORBIDDEN("forbidden", 403),
    NOT_FOUND("not_found", 404),
    SUBSCRIPTION_NOT_FOUND("subscription_not_found", 404),
    INTERRUPT_NOT_FOUND("interrupt_not_found", 404),
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    NOT_ACCEPTABLE("not_acceptable", 406),
    CONFLICT("conflict", 409),
    RUN_ALREADY_ACTIVE("run_already_active", 409),
    RUN_TERMINAL("run_terminal", 409),
    IDEMPOTENCY_KEY_MISMATCH("idempotency_key_mismatch", 409),
    IDEMPOTENCY_IN_FLIGHT("idempotency_in_flight", 409),
    INTERRUPT_ALREADY_RESOLVED("interrupt_already_resolved", 409),
    INTERRUPT_EXPIRED("interrupt_expired", 410),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    CAPABILITY_NOT_PROVIDED("capability_not_provided", 422),
    INTERRUPT_CANCELLED("interrupt_cancelled", 422),
    FORK_OUT_OF_RANGE("fork_out_of_range", 422),
    MOCK_PROVIDER_FORBIDDEN("mock_provider_forbidden", 403),
    CREDENTIAL_FORBIDDEN("credential_forbidden", 403),
    RATE_LIMITED("rate_limited", 429),
    INTERNAL_ERROR("internal_error", 500),
    SERVICE_UNAVAILABLE("service_unavailable", 503);

    private final String code;
    private final int status;

    ErrorCode(String code, int status) {
        this.code = code;
        this.status = status;
    }

    /** The wire value, e.g. {@code validation_error}. */
    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** The code a bare HTTP status maps to when nothing more specific is known. */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 400 -> VALIDATION_ERROR;
            case 401 -> UNAUTHENTICATED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 429 -> RATE_LIMITED;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : VALIDATION_ERROR;
        };
    }
}
