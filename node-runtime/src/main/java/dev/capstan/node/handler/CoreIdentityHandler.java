package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code core.identity}: its outputs are its inputs. */
public class CoreIdentityHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("core.identity");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(ctx.inputs()));
    }
}
