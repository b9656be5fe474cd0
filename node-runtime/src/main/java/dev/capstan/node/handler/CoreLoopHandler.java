package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeFailure;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code core.loop}: one step over {@code items} at {@code index} (default 0). Outputs {@code item},
 * {@code index}, {@code count}, {@code hasNext} and {@code nextIndex}; the loop edge's condition tests
 * {@code hasNext}, and run-service bounds the iterations.
 */
public class CoreLoopHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("core.loop");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        Object raw = Nodes.param(ctx, "items");
        List<?> items = raw == null ? List.of() : raw instanceof List<?> l ? l : null;
        if (items == null) {
            return CompletableFuture.failedFuture(new NodeFailure("validation_error",
                    "core.loop needs items to be a list.", false));
        }
        int index = Nodes.param(ctx, "index") instanceof Number n ? n.intValue() : 0;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("index", index);
        out.put("count", items.size());
        out.put("item", index >= 0 && index < items.size() ? items.get(index) : null);
        out.put("hasNext", index + 1 < items.size());
        out.put("nextIndex", index + 1);
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(out));
    }
}
