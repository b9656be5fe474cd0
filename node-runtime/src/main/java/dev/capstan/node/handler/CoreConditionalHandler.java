package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code core.conditional}: the {@code condition} (input, else config; expressions are evaluated by run-service
 * before dispatch) decides {@code outputs.result} and {@code outputs.branch} ({@code "true"}/{@code "false"}),
 * which the outgoing edges' conditions test.
 */
public class CoreConditionalHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("core.conditional");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        boolean result = Nodes.truthy(Nodes.param(ctx, "condition"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", result);
        out.put("branch", String.valueOf(result));
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(out));
    }
}
