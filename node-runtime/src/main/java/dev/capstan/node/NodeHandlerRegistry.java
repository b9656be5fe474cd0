package dev.capstan.node;

import dev.capstan.node.handler.AgentStepHandler;
import dev.capstan.node.handler.CoreConditionalHandler;
import dev.capstan.node.handler.CoreFailHandler;
import dev.capstan.node.handler.CoreGetVariableHandler;
import dev.capstan.node.handler.CoreIdentityHandler;
import dev.capstan.node.handler.CoreLoopHandler;
import dev.capstan.node.handler.CoreMergeHandler;
import dev.capstan.node.handler.CoreNoopHandler;
import dev.capstan.node.handler.CoreSetVariableHandler;
import dev.capstan.node.handler.HttpNodeHandler;
import dev.capstan.node.handler.LlmNodeHandler;
import dev.capstan.node.handler.ModelClient;
import dev.capstan.node.handler.RecordOnlyHandler;
import dev.capstan.node.handler.ShellNodeHandler;
import dev.capstan.node.http.OutboundHttp;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Finds the handler for a type id; each handler registers the ids it serves, and no id may be served twice. */
public final class NodeHandlerRegistry {

    private final Map<String, NodeHandler> byType = new LinkedHashMap<>();

    public NodeHandlerRegistry(Iterable<? extends NodeHandler> handlers) {
        for (NodeHandler h : handlers) {
            for (String typeId : h.typeIds()) {
                NodeHandler previous = byType.putIfAbsent(typeId, h);
                if (previous != null) {
                    throw new IllegalStateException("Node type " + typeId + " is served by both "
                            + previous.getClass().getSimpleName() + " and " + h.getClass().getSimpleName());
                }
            }
        }
    }

    /** Every built-in handler, configured by {@code settings}, sharing one outbound HTTP client; no stored agents. */
    public static NodeHandlerRegistry standard(NodeRuntimeSettings settings, ObjectMapper json) {
        return standard(settings, json, AgentDirectory.NONE);
    }

    /** Every built-in handler; agent steps find the tenant's agent definitions in {@code agents}. */
    public static NodeHandlerRegistry standard(NodeRuntimeSettings settings, ObjectMapper json, AgentDirectory agents) {
        OutboundHttp http = new OutboundHttp();
        ModelClient models = new ModelClient(http, settings, new PriceTable(settings), json);
        return new NodeHandlerRegistry(List.of(new CoreNoopHandler(), new CoreIdentityHandler(), new CoreFailHandler(),
                new CoreSetVariableHandler(), new CoreGetVariableHandler(), new CoreConditionalHandler(),
                new CoreMergeHandler(), new CoreLoopHandler(), new RecordOnlyHandler(),
                new HttpNodeHandler(http, settings, json), new LlmNodeHandler(models),
                new AgentStepHandler(models, agents, json), new ShellNodeHandler(settings)));
    }

    public Optional<NodeHandler> find(String typeId) {
        return Optional.ofNullable(byType.get(typeId));
    }

    public Set<String> typeIds() {
        return new TreeSet<>(byType.keySet());
    }
}
