package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * OSOP types Capstan records but does not act on ({@code system}, {@code db}, {@code git}, {@code docker},
 * {@code cicd}, {@code mcp}, {@code infra}, {@code data}): they complete with their declared outputs, each taken
 * from the input of the same name when there is one, and {@code recorded: true}.
 */
public class RecordOnlyHandler implements NodeHandler {

    @Override
    public Set<String> typeIds() {
        return Set.of("osop.system", "osop.db", "osop.git", "osop.docker", "osop.cicd", "osop.mcp", "osop.infra",
                "osop.data");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        Object declared = ctx.config().get("outputs");
        if (declared instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String name) {
                    out.put(name, ctx.inputs().get(name));
                } else if (o instanceof Map<?, ?> m && m.get("name") instanceof String name) {
                    out.put(name, ctx.inputs().get(name));
                } else if (o instanceof Map<?, ?> m && m.size() == 1) {
                    String name = String.valueOf(m.keySet().iterator().next());
                    out.put(name, ctx.inputs().get(name));
                }
            }
        } else if (declared instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), ctx.inputs().containsKey(String.valueOf(k))
                    ? ctx.inputs().get(String.valueOf(k)) : v));
        }
        out.put("recorded", true);
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(out));
    }
}
