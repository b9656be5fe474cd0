package dev.capstan.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Agent steps against a loopback server speaking the OpenAI and Anthropic streaming protocols. */
class AgentStepHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT_KEY = "sk-SECRET-tenant-anthropic-42";
    private static final String PLATFORM_KEY = "sk-platform-openai-7";

    private static final Target PROVIDER = new Target()
            .route("/openai/chat/completions", ex -> Target.respond(ex, 200, "text/event-stream", String.join("\n",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"content\":\"Step \"}}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"content\":\"done\"},\"finish_reason\":\"stop\"}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":2000}}", "",
                    "data: [DONE]", "", "")))
            .route("/anthropic/v1/messages", ex -> Target.respond(ex, 200, "text/event-stream", String.join("\n",
                    "event: message_start",
                    "data: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":1000000,\"output_tokens\":1}}}", "",
                    "event: content_block_delta",
                    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Summary: \"}}", "",
                    "event: content_block_delta",
                    // A provider echoing the key: it must not leave the runner.
                    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + TENANT_KEY + "\"}}", "",
                    "event: message_delta",
                    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":100000}}", "",
                    "event: message_stop", "data: {\"type\":\"message_stop\"}", "", "")));

    private record Chunk(String channel, String text, boolean isLast) {
    }

    @AfterAll
    static void stop() {
        PROVIDER.close();
    }

    private static NodeRunner runner(Map<String, AgentProfile> stored) {
        NodeRuntimeSettings d = NodeRuntimeSettings.defaults();
        NodeRuntimeSettings settings = new NodeRuntimeSettings(
                new NodeRuntimeSettings.Http(false, Optional.of(List.of("t")), 30_000, 2, 10, 1_000, 1_048_576, 4096),
                new NodeRuntimeSettings.Llm(PROVIDER.url("/openai"), PROVIDER.url("/anthropic"), Map.of("openai", PLATFORM_KEY),
                        Map.of(), 30_000), d.shell());
        AgentDirectory agents = (tenant, agentId) -> CompletableFuture.completedFuture(
                tenant.equals("t") ? Optional.ofNullable(stored.get(agentId)) : Optional.empty());
        return new NodeRunner(NodeHandlerRegistry.standard(settings, JSON, agents),
                tenant -> Map.of("anthropic-key", TENANT_KEY), 30_000, Executors.newFixedThreadPool(2));
    }

    private static NodeInvocation step(String agentId, String action, Map<String, Object> inputs, Map<String, Object> options) {
        return new NodeInvocation("t", "r-" + System.nanoTime(), "step-1", "capstan.agentStep", 1, null, inputs,
                Map.of("agentId", agentId, "action", action, "stepOrder", 1), null, options);
    }

    private static NodeOutcome run(NodeRunner runner, NodeInvocation invocation, List<Chunk> chunks) throws Exception {
        return runner.run(invocation, (channel, text, isLast, meta) -> chunks.add(new Chunk(channel, text, isLast)))
                .get(20, TimeUnit.SECONDS).outcome();
    }

    private static JsonNode lastRequest(String path) throws Exception {
        List<Target.Received> all = PROVIDER.received.stream().filter(r -> r.path().equals(path)).toList();
        return JSON.readTree(all.get(all.size() - 1).body());
    }

    @Test
    void aStoredAgentAnswersWithItsModelPromptAndKeyAndTheRunInputThenThePreviousOutput() throws Exception {
        AgentProfile summarizer = new AgentProfile("summarizer", "anthropic", "claude-sonnet-4", "You summarise tersely.",
                0.2, 300, "anthropic-key", null);
        List<Chunk> chunks = new CopyOnWriteArrayList<>();
        NodeOutcome outcome = run(runner(Map.of("summarizer", summarizer)), step("summarizer", "Summarise the findings.",
                Map.of("input", Map.of("input", "Quarterly report"), "previous", "Revenue grew 4%."), Map.of()), chunks);

        assertThat(outcome).isInstanceOf(NodeOutcome.Completed.class);
        NodeOutcome.Completed done = (NodeOutcome.Completed) outcome;
        assertThat(done.outputs()).containsEntry("content", "Summary: [REDACTED]").containsEntry("text", "Summary: [REDACTED]")
                .containsEntry("provider", "anthropic").containsEntry("finishReason", "stop")
                .containsEntry("agent", Map.of("id", "summarizer", "definition", "stored"));
        // claude-sonnet-4: $3 in, $15 out per million tokens.
        assertThat(done.cost()).containsEntry("inputTokens", 1_000_000L).containsEntry("outputTokens", 100_000L)
                .containsEntry("usd", 4.5);
        assertThat(chunks).containsExactly(new Chunk("ai.message.chunk", "Summary: ", false),
                new Chunk("ai.message.chunk", "[REDACTED]", false), new Chunk("ai.message.chunk", "", true));

        Target.Received sent = PROVIDER.received.stream().filter(r -> r.path().equals("/anthropic/v1/messages")).toList()
                .get(0);
        assertThat(sent.header("x-api-key")).isEqualTo(TENANT_KEY);
        JsonNode body = JSON.readTree(sent.body());
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4");
        assertThat(body.path("system").asText()).isEqualTo("You summarise tersely.\n\nSummarise the findings.");
        assertThat(body.path("messages").get(0).path("content").asText())
                .isEqualTo("Quarterly report\n\nOutput of the previous step:\nRevenue grew 4%.");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(body.path("stream").asBoolean()).isTrue();
    }

    @Test
    void anUnknownAgentUsesTheTenantsDefaultAgent() throws Exception {
        AgentProfile fallback = new AgentProfile("default", "openai", "gpt-4o-mini", "You are helpful.", null, null, null, null);
        NodeOutcome outcome = run(runner(Map.of("default", fallback)), step("researcher", "AGENT",
                Map.of("input", Map.of("message", "Find the capital of Peru")), Map.of()), new CopyOnWriteArrayList<>());

        NodeOutcome.Completed done = (NodeOutcome.Completed) outcome;
        assertThat(done.outputs()).containsEntry("content", "Step done")
                .containsEntry("agent", Map.of("id", "researcher", "definition", "tenant-default"));
        // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
        assertThat(done.cost()).containsEntry("usd", 0.00135).containsEntry("provider", "openai");
        JsonNode body = lastRequest("/openai/chat/completions");
        // An Operativus step kind ("AGENT") is not an instruction: the system prompt is the agent's alone.
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You are helpful.");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("Find the capital of Peru");
    }

    @Test
    void withoutAnyStoredAgentTheRunsModelOptionsAndThePlatformKeyAnswer() throws Exception {
        NodeOutcome outcome = run(runner(Map.of()), step("writer", "Write one line.", Map.of(),
                Map.of("ai.provider", "openai", "ai.model", "gpt-4o")), new CopyOnWriteArrayList<>());

        NodeOutcome.Completed done = (NodeOutcome.Completed) outcome;
        assertThat(done.outputs()).containsEntry("agent", Map.of("id", "writer", "definition", "none"));
        Target.Received sent = PROVIDER.received.stream().filter(r -> r.path().equals("/openai/chat/completions")).toList()
                .get(PROVIDER.received.stream().filter(r -> r.path().equals("/openai/chat/completions")).toList().size() - 1);
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + PLATFORM_KEY);
        JsonNode body = JSON.readTree(sent.body());
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o");
        // No input and no previous step: the instruction itself is the message.
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("Write one line.");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("Write one line.");
    }

    @Test
    void aStepWithNothingToWorkOnFailsWithoutCallingTheProvider() throws Exception {
        int before = PROVIDER.received.size();
        NodeOutcome outcome = run(runner(Map.of()), step("writer", "AGENT", Map.of("input", Map.of("input", "")), Map.of()),
                new CopyOnWriteArrayList<>());
        assertThat(((NodeOutcome.Failed) outcome).error().code()).isEqualTo("validation_error");
        assertThat(PROVIDER.received).hasSize(before);
    }

    @Test
    void theMockProviderAnswersAgentStepsInTestModeOnly() throws Exception {
        Map<String, Object> inputs = Map.of("input", Map.of("input", "two words"));
        NodeOutcome mocked = run(runner(Map.of()), step("writer", "AGENT", inputs,
                Map.of("mockProvider", "m", "testMode", true)), new CopyOnWriteArrayList<>());
        NodeOutcome refused = run(runner(Map.of()), step("writer", "AGENT", inputs, Map.of("mockProvider", "m")),
                new CopyOnWriteArrayList<>());
        assertThat(((NodeOutcome.Completed) mocked).outputs()).containsEntry("content", "Mock reply (m) to: two words");
        assertThat(((NodeOutcome.Failed) refused).error().code()).isEqualTo("mock_provider_forbidden");
    }

    @Test
    void anAgentStoreThatCannotAnswerFailsTheAttemptRetryably() throws Exception {
        AgentDirectory broken = (tenant, agentId) -> CompletableFuture.failedFuture(new IllegalStateException("db down"));
        NodeRunner runner = new NodeRunner(NodeHandlerRegistry.standard(NodeRuntimeSettings.defaults(), JSON, broken),
                tenant -> Map.of(), 30_000, Executors.newFixedThreadPool(2));
        NodeOutcome outcome = run(runner, step("writer", "Write.", Map.of(), Map.of()), new CopyOnWriteArrayList<>());
        NodeOutcome.NodeError error = ((NodeOutcome.Failed) outcome).error();
        assertThat(error.code()).isEqualTo("tenant_unavailable");
        assertThat(error.retryable()).isTrue();
    }
}
