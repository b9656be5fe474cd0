package dev.capstan.common.messaging;

/** Kafka topic names of the platform ({@code capstan.<entity>.<kind>}); every record is keyed by run id. */
public final class Topics {

    /** Commands from run-service to executors: run this node. */
    public static final String NODE_DISPATCH = "capstan.node.dispatch";
    /** Results from executors back to run-service. */
    public static final String NODE_RESULTS = "capstan.node.results";
    /** run-service to itself: start or cancel the child run of a {@code core.subWorkflow} node (key: parent run id). */
    public static final String RUN_CHILDREN = "capstan.run.children";
    /**
     * Commands from run-service to every executor instance: stop this running attempt. Best effort (a lost cancel only
     * leaves work running whose late result the engine refuses), so read by each instance without a shared group.
     */
    public static final String NODE_CANCEL = "capstan.node.cancel";
    /** Committed run events, for webhook delivery and live streams on other replicas. */
    public static final String RUN_EVENTS = "capstan.run.events";

    private Topics() {
    }

    /** Where a consumer sends what it cannot process. */
    public static String deadLetters(String topic) {
        return topic + ".dlq";
    }
}
