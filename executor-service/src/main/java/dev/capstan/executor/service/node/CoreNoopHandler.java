package dev.capstan.executor.service.node;

import dev.capstan.executor.service.NodeContext;
import dev.capstan.executor.service.NodeHandler;
import dev.capstan.executor.service.NodeOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code core.noop}: completes with no outputs. */
@ApplicationScoped
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
