package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code core.fail}: fails with {@code config.code} (default {@code node_failed}) and {@code config.message};
 * not retryable unless {@code config.retryable} says so.
 */
public class CoreFailHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("core.fail");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        Map<String, Object> c = ctx.config();
        String code = c.get("code") instanceof String s ? s : "node_failed";
        String message = c.get("message") instanceof String s ? s
                : "Node '" + ctx.invocation().nodeId() + "' failed on purpose (core.fail).";
        boolean retryable = Boolean.TRUE.equals(c.get("retryable"));
        Map<String, Object> details = c.get("details") instanceof Map<?, ?> d ? Nodes.stringKeys(d) : Map.of();
        return CompletableFuture.completedFuture(
                new NodeOutcome.Failed(new NodeOutcome.NodeError(code, message, retryable, details)));
    }
}
