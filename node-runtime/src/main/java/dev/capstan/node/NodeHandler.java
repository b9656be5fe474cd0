package dev.capstan.node;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The strategy for one kind of node, registered by the type ids it serves. A handler never blocks the calling
 * thread: waiting work (sockets, processes) completes the returned stage later.
 */
public interface NodeHandler {

    Set<String> typeIds();

    /** Whether the node acts on the outside world, so that it must not be repeated (HTTP, shell, LLM spend). */
    default boolean sideEffecting() {
        return false;
    }

    CompletionStage<NodeOutcome> execute(NodeContext ctx);
}
