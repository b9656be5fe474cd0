package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code core.merge}: joins its inputs. Object inputs are merged key by key in port order (later ports win);
 * other inputs keep their port name. {@code outputs.merged} is that object, {@code outputs.items} the input
 * values in port order.
 */
public class CoreMergeHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("core.merge");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        Map<String, Object> merged = new LinkedHashMap<>();
        List<Object> items = new ArrayList<>();
        ctx.inputs().forEach((port, value) -> {
            items.add(value);
            if (value instanceof Map<?, ?> m) {
                merged.putAll(Nodes.stringKeys(m));
            } else {
                merged.put(port, value);
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("merged", merged);
        out.put("items", items);
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(out));
    }
}
