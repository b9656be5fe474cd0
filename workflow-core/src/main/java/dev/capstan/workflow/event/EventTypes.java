package dev.capstan.workflow.event;

import java.util.Set;

/** Event type names: OpenWOP's, plus Capstan vendor events under the {@code capstan.} prefix. */
public final class EventTypes {

    public static final String RUN_STARTED = "run.started";
    public static final String RUN_COMPLETED = "run.completed";
    public static final String RUN_FAILED = "run.failed";
    public static final String RUN_CANCELLED = "run.cancelled";
    public static final String RUN_PAUSED = "run.paused";
    public static final String RUN_RESUMED = "run.resumed";
    public static final String NODE_STARTED = "node.started";
    public static final String NODE_COMPLETED = "node.completed";
    public static final String NODE_FAILED = "node.failed";
    public static final String NODE_SUSPENDED = "node.suspended";
    /** A streamed piece of model output (the {@code messages} stream mode). */
    public static final String AI_MESSAGE_CHUNK = "ai.message.chunk";
    /** A streamed piece of other node output. */
    public static final String OUTPUT_CHUNK = "output.chunk";
    public static final String NODE_RESUMED = "node.resumed";
    public static final String NODE_RETRIED = "node.retried";
    public static final String NODE_SKIPPED = "node.skipped";
    public static final String NODE_CANCELLED = "node.cancelled";
    public static final String INTERRUPT_REQUESTED = "interrupt.requested";
    public static final String INTERRUPT_RESOLVED = "interrupt.resolved";
    public static final String VARIABLE_CHANGED = "variable.changed";
    public static final String CAP_BREACHED = "cap.breached";
    /** A loop edge re-entered its body: the listed nodes are reset for another iteration. */
    public static final String LOOP_REENTERED = "capstan.loop.reentered";
    /**
     * An approval was answered with refine: the feedback is in {@code refineFeedback} (and the run variable of that
     * name), the gate and the nodes that produced its artifact ({@code resetNodeIds}) are reset to run again.
     */
    public static final String APPROVAL_REFINED = "capstan.approval.refined";
    /** First event after a fork's copied prefix: records the source and any run-option overlay. */
    public static final String RUN_FORKED = "capstan.run.forked";
    /** Vendor event: a cancel waits for in-flight nodes to stop (status {@code cancelling}); run.cancelled follows. */
    public static final String RUN_CANCELLING = "capstan.run.cancelling";
    public static final String LOG_APPENDED = "log.appended";
    /** OpenWOP's legacy approval vote event; with a quorum, each vote before the last is only this. */
    public static final String APPROVAL_RECEIVED = "approval.received";

    private static final Set<String> TERMINAL = Set.of(RUN_COMPLETED, RUN_FAILED, RUN_CANCELLED);

    private EventTypes() {
    }

    public static boolean isTerminal(String type) {
        return TERMINAL.contains(type);
    }
}
