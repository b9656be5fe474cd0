package dev.capstan.run.service.compat;

/** Capstan's run statuses (OpenWOP wire names) as each compatible surface names them. */
public final class CompatStatus {

    private CompatStatus() {
    }

    /**
     * Operativus' 14-value RunStatus. A pending approval is AWAITING_HUMAN_REVIEW (their confirmation and review
     * gates both pause there); a draining cancel already reads CANCELLED, as their cancel flips the row at once.
     */
    public static String operativus(String status) {
        return switch (status) {
            case "pending" -> "PENDING";
            case "running" -> "RUNNING";
            case "paused", "waiting-external" -> "PAUSED";
            case "waiting-approval", "waiting-input" -> "AWAITING_HUMAN_REVIEW";
            case "completed" -> "COMPLETED";
            case "failed" -> "FAILED";
            case "cancelling", "cancelled" -> "CANCELLED";
            default -> "RUNNING";
        };
    }

    /** AgentOS RunStatus values (agno {@code run/base.py}). */
    public static String agentOs(String status) {
        return switch (status) {
            case "pending" -> "PENDING";
            case "running" -> "RUNNING";
            case "paused", "waiting-approval", "waiting-input", "waiting-external" -> "PAUSED";
            case "completed" -> "COMPLETED";
            case "failed" -> "ERROR";
            case "cancelling", "cancelled" -> "CANCELLED";
            default -> "RUNNING";
        };
    }

    public static boolean waiting(String status) {
        return status.startsWith("waiting-");
    }

    public static boolean terminal(String status) {
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }
}
