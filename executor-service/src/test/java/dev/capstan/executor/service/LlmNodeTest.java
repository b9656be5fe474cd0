package dev.capstan.executor.service;

import static dev.capstan.executor.KafkaHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import dev.capstan.executor.LoopbackServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** LLM nodes against a loopback server speaking the OpenAI and Anthropic streaming wire formats. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class LlmNodeTest {

    private static final String KEY = "sk-SECRET-llm-0000";

    private static final LoopbackServer PROVIDER = new LoopbackServer()
            .route("/openai/chat/completions", ex -> LoopbackServer.respond(ex, 200, "text/event-stream", String.join("\n",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"content\":\", world\"}}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":2000,\"total_tokens\":3000}}", "",
                    "data: [DONE]", "", "")))
            .route("/anthropic/v1/messages", ex -> LoopbackServer.respond(ex, 200, "text/event-stream", String.join("\n",
                    "event: message_start",
                    "data: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":1000000,\"output_tokens\":1}}}", "",
                    "event: content_block_delta",
                    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Bonjour\"}}", "",
                    "event: content_block_delta",
                    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" le monde\"}}", "",
                    "event: message_delta",
                    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":100000}}", "",
                    "event: message_stop",
                    "data: {\"type\":\"message_stop\"}", "", "")));

    private final KafkaHarness kafka = KafkaHarness.get();
    private final ObjectMapper json = new ObjectMapper();

    @AfterAll
    static void stop() {
        PROVIDER.close();
    }

    private static List<String> chunkTexts(List<NodeResultMessage> all) {
        return all.stream().filter(m -> m.outcome().equals("progress")).map(m -> (String) m.chunk().get("text")).toList();
    }

    @Test
    void anOpenAiNodeStreamsChunksThenReportsTokensAndCost() throws Exception {
        NodeDispatchMessage d = dispatch("t-loopback", "core.ai.callPrompt", Map.of("prompt", "Say hello"),
                Map.of("provider", "openai", "model", "gpt-4o-mini", "baseUrl", PROVIDER.url("/openai")),
                Map.of("ai.credentialRef", "llm-key"));
        NodeResultMessage done = kafka.sendAndAwait(d);
        List<NodeResultMessage> all = kafka.resultsOf(d.invocationId());

        assertThat(chunkTexts(all)).containsExactly("Hello", ", world", "");
        assertThat(all.stream().filter(m -> m.outcome().equals("progress")).map(m -> m.chunk().get("channel")))
                .containsOnly("ai.message.chunk");
        // Chunks come before the final result on the run's partition.
        assertThat(all.get(all.size() - 1)).isEqualTo(done);
        assertThat(done.outcome()).isEqualTo("completed");
        assertThat(done.outputs()).containsEntry("text", "Hello, world").containsEntry("finishReason", "stop");
        // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
        assertThat(done.cost()).containsEntry("inputTokens", 1000).containsEntry("outputTokens", 2000)
                .containsEntry("usd", 0.00135).containsEntry("provider", "openai");
        LoopbackServer.Received req = PROVIDER.received("/openai/chat/completions").get(0);
        assertThat(req.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(json.readTree(req.body()).path("stream").asBoolean()).isTrue();
        assertThat(json.writeValueAsString(all)).doesNotContain(KEY);
    }

    @Test
    void anAnthropicNodeStreamsChunksThenReportsTokensAndCost() {
        NodeDispatchMessage d = dispatch("t-loopback", "core.ai.callPrompt", Map.of(),
                Map.of("provider", "anthropic", "model", "claude-sonnet-4", "prompt", "Dis bonjour",
                        "baseUrl", PROVIDER.url("/anthropic")),
                Map.of("ai.credentialRef", "llm-key"));
        NodeResultMessage done = kafka.sendAndAwait(d);

        assertThat(chunkTexts(kafka.resultsOf(d.invocationId()))).containsExactly("Bonjour", " le monde", "");
        assertThat(done.outputs()).containsEntry("text", "Bonjour le monde").containsEntry("finishReason", "stop");
        // claude-sonnet-4: $3 in, $15 out per million tokens.
        assertThat(done.cost()).containsEntry("inputTokens", 1000000).containsEntry("outputTokens", 100000)
                .containsEntry("usd", 4.5).containsEntry("model", "claude-sonnet-4-20250514");
        LoopbackServer.Received req = PROVIDER.received("/anthropic/v1/messages").get(0);
        assertThat(req.header("x-api-key")).isEqualTo(KEY);
        assertThat(req.header("anthropic-version")).isNotBlank();
    }

    @Test
    void theMockProviderAnswersDeterministicallyOnlyInTestMode() {
        Map<String, Object> config = Map.of("prompt", "two words");
        NodeResultMessage a = kafka.sendAndAwait(dispatch("t-core", "core.ai.callPrompt", Map.of(), config,
                Map.of("mockProvider", Map.of("id", "stream-text"), "testMode", true)));
        NodeResultMessage b = kafka.sendAndAwait(dispatch("t-core", "core.ai.callPrompt", Map.of(), config,
                Map.of("mockProvider", Map.of("id", "stream-text"), "testMode", true)));
        NodeResultMessage live = kafka.sendAndAwait(dispatch("t-core", "core.ai.callPrompt", Map.of(), config,
                Map.of("mockProvider", Map.of("id", "stream-text"))));

        assertThat(a.outputs()).isEqualTo(b.outputs());
        assertThat(a.outputs().get("text")).isEqualTo("Mock reply (stream-text) to: two words");
        assertThat(a.cost()).containsEntry("usd", 0.0).containsEntry("inputTokens", 2);
        assertThat(live.error()).containsEntry("code", "mock_provider_forbidden");
    }
}
