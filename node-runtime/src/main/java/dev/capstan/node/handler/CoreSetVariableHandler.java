package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeFailure;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code core.setVariable}: {@code name} and {@code value} (input ports, else config). The update travels in the
 * result's {@code variables} (also shown in {@code outputs.variables}); run-service's engine records it as
 * {@code variable.changed}.
 */
public class CoreSetVariableHandler implements NodeHandler {

    public static final String VARIABLES_OUTPUT = "variables";

    @Override
    public Set<String> typeIds() {
        return Set.of("core.setVariable");
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        if (!(Nodes.param(ctx, "name") instanceof String name) || name.isBlank()) {
            return CompletableFuture.failedFuture(new NodeFailure("validation_error",
                    "core.setVariable needs a variable name in config.name or the name input.", false));
        }
        Object value = Nodes.param(ctx, "value");
        Map<String, Object> vars = new HashMap<>();
        vars.put(name, value);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("value", value);
        out.put(VARIABLES_OUTPUT, vars);
        return CompletableFuture.completedFuture(new NodeOutcome.Completed(out, null, null, vars));
    }
}
