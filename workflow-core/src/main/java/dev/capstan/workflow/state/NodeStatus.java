package dev.capstan.workflow.state;

/** Where one node is in its current visit. */
public enum NodeStatus {
    /** Not started in this visit; it starts once its join rule says so. */
    IDLE,
    /** A TASK node waiting for the approval its security requires before dispatch. */
    AWAITING_APPROVAL,
    RUNNING,
    RETRY_WAIT,
    SUSPENDED,
    COMPLETED,
    FAILED,
    SKIPPED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == SKIPPED || this == CANCELLED;
    }

    public boolean isActive() {
        return this == AWAITING_APPROVAL || this == RUNNING || this == RETRY_WAIT || this == SUSPENDED;
    }
}
