package dev.capstan.workflow.model;

/** The ten OpenWOP run statuses. */
public enum RunStatus {
    PENDING("pending"), RUNNING("running"), PAUSED("paused"), WAITING_APPROVAL("waiting-approval"),
    WAITING_INPUT("waiting-input"), WAITING_EXTERNAL("waiting-external"), COMPLETED("completed"),
    FAILED("failed"), CANCELLING("cancelling"), CANCELLED("cancelled");

    private final String wire;

    RunStatus(String wire) {
        this.wire = wire;
    }

    public String wireName() {
        return wire;
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    public boolean isWaiting() {
        return this == WAITING_APPROVAL || this == WAITING_INPUT || this == WAITING_EXTERNAL;
    }
}
