package dev.capstan.node.handler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeFailure;
import dev.capstan.node.NodeOutcome;
import dev.capstan.node.NodeRuntimeSettings;
import dev.capstan.node.PriceTable;
import dev.capstan.node.http.OutboundHttp;
import dev.capstan.node.http.TargetPolicy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * One streamed chat call to a model provider (OpenAI-compatible chat completions or Anthropic Messages), shared by
 * every node that talks to a model: the key lookup, the address check, the SSE parsing, {@code ai.message.chunk}
 * progress, token usage and USD cost, and the test-mode mock provider. Cancelling the attempt aborts the request.
 */
public final class ModelClient {

    /**
     * What to ask. Null fields take the provider's defaults; {@code credentialRef} names a tenant secret holding the
     * key (else the platform's key for the provider); {@code baseUrl} overrides the configured provider URL.
     */
    public record Call(String provider, String model, String system, String user, Number temperature, Number maxTokens,
                       String credentialRef, String baseUrl, Long timeoutMs) {
    }

    private final OutboundHttp http;
    private final NodeRuntimeSettings config;
    private final PriceTable prices;
    private final ObjectMapper json;

    public ModelClient(OutboundHttp http, NodeRuntimeSettings config, PriceTable prices, ObjectMapper json) {
        this.http = http;
        this.config = config;
        this.prices = prices;
        this.json = json;
    }

    /** The model a provider uses when nothing names one. */
    public static String defaultModel(String provider) {
        return "anthropic".equals(provider) ? "claude-sonnet-4" : "gpt-4o-mini";
    }

    /** What a call produced, however it was made. */
    private static final class Reply {
        final StringBuilder text = new StringBuilder();
        long inputTokens;
        long outputTokens;
        String finishReason = "stop";
        String model;
    }

    /**
     * Makes the call. Completes with outputs {@code {text, model, provider, finishReason, usage}} and cost
     * {@code {usd, inputTokens, outputTokens, model, provider}}, or a failure ({@code llm_http_status}); throws
     * {@link NodeFailure} for what is wrong before anything is sent.
     */
    public CompletionStage<NodeOutcome> call(NodeContext ctx, Call call) {
        Map<String, Object> opts = ctx.invocation().options();
        String provider = (call.provider() == null ? "openai" : call.provider()).toLowerCase(Locale.ROOT);
        String model = call.model() == null ? defaultModel(provider) : call.model();
        Object mock = opts.get("mockProvider");
        if (mock != null) {
            if (!ctx.option("testMode")) {
                throw new NodeFailure("mock_provider_forbidden", "mockProvider is only allowed with test keys.", false);
            }
            return CompletableFuture.completedFuture(mock(ctx, call.user(), mock));
        }
        if (!provider.equals("openai") && !provider.equals("anthropic")) {
            throw new NodeFailure("validation_error", "provider must be openai or anthropic.", false);
        }
        String key = call.credentialRef() != null ? ctx.secrets().require(call.credentialRef())
                : config.llm().apiKeys().get(provider);
        if (key == null) {
            throw new NodeFailure("credential_required", "No API key for " + provider
                    + ": set ai.credentialRef to a tenant secret.", false);
        }
        String base = call.baseUrl() != null ? call.baseUrl()
                : provider.equals("anthropic") ? config.llm().anthropicBaseUrl() : config.llm().openaiBaseUrl();
        URI uri = URI.create(base.replaceAll("/+$", "") + (provider.equals("anthropic") ? "/v1/messages" : "/chat/completions"));
        boolean privateOk = ctx.policy().privateTargetsAllowed(config.http(), ctx.tenantId());
        if (!privateOk) {
            TargetPolicy.refusal(uri.getHost()).ifPresent(why -> {
                throw new NodeFailure("target_forbidden", "The provider URL was refused: " + why + ".", false);
            });
        }
        HttpRequest request = request(ctx, provider, model, call, key, uri);
        Reply reply = new Reply();
        reply.model = model;
        Map<String, Object> meta = Map.of("model", model, "provider", provider);
        Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
            String event = "";

            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String data = line.substring(5).trim();
                    if (!data.equals("[DONE]") && !data.isEmpty()) {
                        String piece = provider.equals("anthropic") ? anthropic(event, data, reply) : openai(data, reply);
                        if (piece != null && !piece.isEmpty()) {
                            reply.text.append(piece);
                            ctx.progress().chunk("ai.message.chunk", piece, false, meta);
                        }
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        };
        ctx.cancellation().throwIfCancelled();
        CompletableFuture<HttpResponse<Void>> sent = http.client().sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(lines));
        ctx.cancellation().onCancel(() -> sent.cancel(true));
        return sent
                .thenApply(response -> {
                    int status = response.statusCode();
                    if (status >= 300) {
                        return (NodeOutcome) new NodeOutcome.Failed(new NodeOutcome.NodeError("llm_http_status",
                                provider + " answered " + status + ".", status == 429 || status >= 500,
                                Map.of("status", status)), null, Map.of("status", status));
                    }
                    return finish(ctx, provider, reply);
                });
    }

    private NodeOutcome finish(NodeContext ctx, String provider, Reply reply) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("promptTokens", reply.inputTokens);
        usage.put("completionTokens", reply.outputTokens);
        usage.put("totalTokens", reply.inputTokens + reply.outputTokens);
        Map<String, Object> lastMeta = new LinkedHashMap<>();
        lastMeta.put("finishReason", reply.finishReason);
        lastMeta.put("model", reply.model);
        lastMeta.put("provider", provider);
        lastMeta.put("usage", usage);
        ctx.progress().chunk("ai.message.chunk", "", true, lastMeta);
        Map<String, Object> cost = new LinkedHashMap<>();
        cost.put("usd", prices.usd(reply.model, reply.inputTokens, reply.outputTokens));
        cost.put("inputTokens", reply.inputTokens);
        cost.put("outputTokens", reply.outputTokens);
        cost.put("model", reply.model);
        cost.put("provider", provider);
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("text", reply.text.toString());
        outputs.put("model", reply.model);
        outputs.put("provider", provider);
        outputs.put("finishReason", reply.finishReason);
        outputs.put("usage", usage);
        return new NodeOutcome.Completed(outputs, cost, null);
    }

    /** Deterministic: the same prompt gives the same words, streamed one by one, with usage counted in words. */
    private NodeOutcome mock(NodeContext ctx, String prompt, Object mockProvider) {
        String id = mockProvider instanceof Map<?, ?> m ? String.valueOf(m.get("id")) : String.valueOf(mockProvider);
        Reply reply = new Reply();
        reply.model = "mock";
        String text = "Mock reply (" + id + ") to: " + prompt;
        Map<String, Object> meta = Map.of("model", "mock", "provider", "mock");
        for (String word : text.split("(?<= )")) {
            reply.text.append(word);
            ctx.progress().chunk("ai.message.chunk", word, false, meta);
        }
        reply.inputTokens = prompt.isBlank() ? 0 : prompt.trim().split("\\s+").length;
        reply.outputTokens = text.trim().split("\\s+").length;
        return finish(ctx, "mock", reply);
    }

    private String openai(String data, Reply reply) {
        JsonNode n = read(data);
        JsonNode usage = n.path("usage");
        if (usage.isObject()) {
            reply.inputTokens = usage.path("prompt_tokens").asLong(reply.inputTokens);
            reply.outputTokens = usage.path("completion_tokens").asLong(reply.outputTokens);
        }
        if (n.hasNonNull("model")) {
            reply.model = n.get("model").asText();
        }
        JsonNode choice = n.path("choices").path(0);
        if (choice.hasNonNull("finish_reason")) {
            reply.finishReason = choice.get("finish_reason").asText();
        }
        JsonNode content = choice.path("delta").path("content");
        return content.isTextual() ? content.asText() : null;
    }

    private String anthropic(String event, String data, Reply reply) {
        JsonNode n = read(data);
        String type = n.path("type").asText(event);
        switch (type) {
            case "message_start" -> {
                JsonNode m = n.path("message");
                reply.inputTokens = m.path("usage").path("input_tokens").asLong(0);
                reply.outputTokens = m.path("usage").path("output_tokens").asLong(0);
                if (m.hasNonNull("model")) {
                    reply.model = m.get("model").asText();
                }
            }
            case "content_block_delta" -> {
                JsonNode d = n.path("delta");
                return d.path("text").isTextual() ? d.path("text").asText() : null;
            }
            case "message_delta" -> {
                reply.outputTokens = n.path("usage").path("output_tokens").asLong(reply.outputTokens);
                String stop = n.path("delta").path("stop_reason").asText(null);
                if (stop != null) {
                    reply.finishReason = stop.equals("end_turn") ? "stop" : stop.equals("max_tokens") ? "length" : stop;
                }
            }
            default -> {
            }
        }
        return null;
    }

    private JsonNode read(String data) {
        try {
            return json.readTree(data);
        } catch (JsonProcessingException e) {
            throw new NodeFailure("llm_protocol_error", "The provider sent a stream event that is not JSON.", true);
        }
    }

    private HttpRequest request(NodeContext ctx, String provider, String model, Call call, String key, URI uri) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        List<Map<String, Object>> messages = new ArrayList<>();
        String system = call.system();
        if (system != null && provider.equals("openai")) {
            messages.add(Map.of("role", "system", "content", system));
        }
        messages.add(Map.of("role", "user", "content", call.user()));
        body.put("messages", messages);
        body.put("stream", true);
        if (call.temperature() != null) {
            body.put("temperature", call.temperature());
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMillis(call.timeoutMs() != null ? call.timeoutMs() : config.llm().defaultTimeoutMs()))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .header("Idempotency-Key", ctx.invocation().invocationId());
        if (provider.equals("anthropic")) {
            body.put("max_tokens", call.maxTokens() != null ? call.maxTokens() : 1024);
            if (system != null) {
                body.put("system", system);
            }
            b.header("x-api-key", key).header("anthropic-version", "2023-06-01");
        } else {
            if (call.maxTokens() != null) {
                body.put("max_tokens", call.maxTokens());
            }
            body.put("stream_options", Map.of("include_usage", true));
            b.header("Authorization", "Bearer " + key);
        }
        try {
            return b.POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        } catch (JsonProcessingException e) {
            throw new NodeFailure("validation_error", "The prompt cannot be written as JSON.", false);
        }
    }
}
