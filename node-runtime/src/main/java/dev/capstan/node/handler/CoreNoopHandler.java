package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code core.noop}: completes with no outputs. */
public class CoreNoopHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("core.noop", "core.start", "core.end");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(Map.of()));
    }
}
