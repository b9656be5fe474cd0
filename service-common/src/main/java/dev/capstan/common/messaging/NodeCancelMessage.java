package dev.capstan.common.messaging;

/**
 * Version 1 of the command on {@link Topics#NODE_CANCEL} (JSON, record key = run id): stop the running attempt
 * {@code runId:nodeId:attempt}, the engine's {@code CancelNode} (run cancelled or paused, node timed out, loop
 * re-entered). Every executor instance reads every record and cancels the attempt if it runs it; one that does not
 * ignores the record. The engine has already stopped waiting for the attempt, so its result, if one still comes, is
 * refused as stale: the cancel only releases resources (a process tree, an open request).
 *
 * @param reason the engine's reason: {@code run-cancelled}, {@code run-paused}, {@code node_timeout}, {@code loop-reentered}, …
 */
public record NodeCancelMessage(int v, String tenantId, String runId, String nodeId, int attempt, String reason,
                                long cancelledAtEpochMs) {

    public static final int VERSION = 1;
}
