package dev.capstan.run.service.compat;

/**
 * A refusal on one of the compatible surfaces (Operativus, AgentOS). Each surface's resource renders it in that
 * surface's own error shape, not the OpenWOP envelope, because their clients parse their own shape.
 */
public class CompatException extends RuntimeException {

    private final int status;
    private final String title;
    private final String type;

    public CompatException(int status, String title, String type, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.type = type;
    }

    public int status() {
        return status;
    }

    /** A short title (Operativus ProblemDetail {@code title}). */
    public String title() {
        return title;
    }

    /** A problem type URN (Operativus ProblemDetail {@code type}). */
    public String type() {
        return type;
    }

    public static CompatException notFound(String detail) {
        return new CompatException(404, "Resource Not Found", "urn:problem-type:resource-not-found", detail);
    }

    public static CompatException badRequest(String detail) {
        return new CompatException(400, "Business Validation Error", "urn:problem-type:business-validation-error", detail);
    }

    public static CompatException conflict(String detail) {
        return new CompatException(409, "Conflict", "urn:problem-type:conflict", detail);
    }

    public static CompatException unprocessable(String detail) {
        return new CompatException(422, "Unprocessable Entity", "urn:problem-type:invalid-request", detail);
    }

    /** For endpoints whose meaning Capstan's engine cannot honour: said plainly instead of faked. */
    public static CompatException notImplemented(String detail) {
        return new CompatException(501, "Not Implemented", "urn:problem-type:not-implemented", detail);
    }
}
