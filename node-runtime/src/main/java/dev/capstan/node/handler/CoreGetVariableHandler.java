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
 * {@code core.getVariable}: run-service resolves the variable into the {@code value} input (a variable port or
 * {@code ${variables.x}} in config); the node exposes it as {@code outputs.value}, or {@code config.default}
 * when the variable is unset.
 */
public class CoreGetVariableHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("core.getVariable");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        Object value = Nodes.param(ctx, "value");
        if (value == null) {
            value = ctx.config().get("default");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", Nodes.param(ctx, "name"));
        out.put("value", value);
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(out));
    }
}
