package dev.capstan.node.handler;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeFailure;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import dev.capstan.node.NodeRuntimeSettings;
import dev.capstan.node.PriceTable;
import dev.capstan.node.http.OutboundHttp;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * LLM nodes ({@code core.ai.callPrompt}, {@code core.llm}, OSOP {@code osop.agent}): OpenAI-compatible chat
 * completions or Anthropic Messages over streamed HTTP (SSE), through the shared {@link ModelClient}. Each streamed
 * piece of text becomes an {@code ai.message.chunk} progress result; the final result carries the text, token usage
 * and USD cost from the {@link PriceTable}. The key is the tenant's own ({@code ai.credentialRef} run option or node
 * {@code credentialRef}, a secret name) or the platform's. The {@code mockProvider} run option, allowed only with
 * {@code testMode}, answers deterministically without a network call.
 */
public class LlmNodeHandler implements NodeHandler {

    private final ModelClient models;

    public LlmNodeHandler(OutboundHttp http, NodeRuntimeSettings config, PriceTable prices, ObjectMapper json) {
        this(new ModelClient(http, config, prices, json));
    }

    public LlmNodeHandler(ModelClient models) {
        this.models = models;
    }

    @Override
    public Set<String> typeIds() {
        return Set.of("core.ai.callPrompt", "core.llm", "osop.agent");
    }

    @Override
    public boolean sideEffecting() {
        return true; // it spends money
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        Map<String, Object> c = ctx.config();
        Map<String, Object> opts = ctx.invocation().options();
        String provider = str(opts.get("ai.provider"), str(c.get("provider"), "openai"));
        String model = str(opts.get("ai.model"), str(c.get("model"), null));
        Object maxTokens = c.getOrDefault("maxTokens", c.get("max_tokens"));
        return models.call(ctx, new ModelClient.Call(provider, model, str(c.get("system"), str(c.get("system_prompt"), null)),
                prompt(ctx), c.get("temperature") instanceof Number t ? t : null, maxTokens instanceof Number n ? n : null,
                str(opts.get("ai.credentialRef"), str(c.get("credentialRef"), null)), str(c.get("baseUrl"), null),
                c.get("timeoutMs") instanceof Number n ? n.longValue() : null));
    }

    private static String prompt(NodeContext ctx) {
        Object p = Nodes.param(ctx, "prompt");
        if (p == null) {
            p = ctx.config().getOrDefault("purpose", ctx.config().get("description"));
        }
        if (p == null) {
            throw new NodeFailure("validation_error", "The LLM node needs a prompt.", false);
        }
        return String.valueOf(p);
    }

    static String str(Object v, String fallback) {
        return v instanceof String s && !s.isBlank() ? s : fallback;
    }
}
