package dev.capstan.common.messaging;

/** Kafka topic names of the platform ({@code capstan.<entity>.<kind>}); every record is keyed by run id. */
public final class Topics {

    /** Commands from run-service to executors: run this node. */
    public static final String NODE_DISPATCH = "capstan.node.dispatch";
    /** Results from executors back to run-service. */
    public static final String NODE_RESULTS = "capstan.node.results";
    /** run-service to itself: start or cancel the child run of a {@code core.subWorkflow} node (key: parent run id). */
    public static final String RUN_CHILDREN = "capstan.run.children";
    /** Committed run events, for webhook delivery and live streams on other replicas. */
    public static final String RUN_EVENTS = "capstan.run.events";

    private Topics() {
    }

    /** Where a consumer sends what it cannot process. */
    public static String deadLetters(String topic) {
        return topic + ".dlq";
    }
}
