package dev.capstan.workflow.model;

/** The four core OpenWOP interrupt kinds, with the run status a run waits in while one is open. */
public enum InterruptKind {
    APPROVAL("approval", RunStatus.WAITING_APPROVAL),
    CLARIFICATION("clarification", RunStatus.WAITING_INPUT),
    EXTERNAL_EVENT("external-event", RunStatus.WAITING_EXTERNAL),
    CUSTOM("custom", RunStatus.WAITING_INPUT);

    private final String wire;
    private final RunStatus waitingStatus;

    InterruptKind(String wire, RunStatus waitingStatus) {
        this.wire = wire;
        this.waitingStatus = waitingStatus;
    }

    public String wireName() {
        return wire;
    }

    public RunStatus waitingStatus() {
        return waitingStatus;
    }

    public static InterruptKind parse(String s) {
        for (InterruptKind k : values()) {
            if (k.wire.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown interrupt kind " + s);
    }
}
