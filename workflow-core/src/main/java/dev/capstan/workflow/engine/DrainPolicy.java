package dev.capstan.workflow.engine;

/** OpenWOP pause drain policies. */
public enum DrainPolicy {
    /** Cancel in-flight nodes now; they run again after resume. */
    IMMEDIATE("immediate"),
    /** Let in-flight nodes finish; start nothing new until resume. */
    DRAIN_CURRENT_NODE("drain-current-node");

    private final String wire;

    DrainPolicy(String wire) {
        this.wire = wire;
    }

    public String wireName() {
        return wire;
    }
}
