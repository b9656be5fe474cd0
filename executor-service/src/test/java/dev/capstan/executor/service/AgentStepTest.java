package dev.capstan.executor.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import dev.capstan.executor.LoopbackServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code capstan.agentStep} through the real dispatch and result topics: the tenant's agent definitions (admin API,
 * PostgreSQL) choose the model, the provider is a loopback server speaking the OpenAI and Anthropic streaming formats.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class AgentStepTest {

    private static final String TOKEN = "Bearer test-admin-token-0123456789";
    private static final String KEY = "sk-SECRET-agent-key-5150";

    private static final LoopbackServer PROVIDER = new LoopbackServer()
            .route("/openai/chat/completions", ex -> LoopbackServer.respond(ex, 200, "text/event-stream", String.join("\n",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{\"content\":\", world\"}}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}", "",
                    "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":2000}}", "",
                    "data: [DONE]", "", "")))
            .route("/anthropic/v1/messages", ex -> LoopbackServer.respond(ex, 200, "text/event-stream", String.join("\n",
                    "event: message_start",
                    "data: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":1000000,\"output_tokens\":1}}}", "",
                    "event: content_block_delta",
                    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Bonjour\"}}", "",
                    "event: message_delta",
                    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":100000}}", "",
                    "event: message_stop", "data: {\"type\":\"message_stop\"}", "", "")));

    private final KafkaHarness kafka = KafkaHarness.get();
    private final ObjectMapper json = new ObjectMapper();

    @AfterAll
    static void stop() {
        PROVIDER.close();
    }

    /** A fresh tenant whose stored policy lets its model calls reach loopback, with its provider key stored. */
    private static String tenant() {
        String t = "t-agents-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("allowPrivateTargets", true))
                .put("/admin/v1/tenants/{t}/policy", t).then().statusCode(200);
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("value", KEY))
                .put("/admin/v1/tenants/{t}/secrets/provider-key", t).then().statusCode(204);
        return t;
    }

    private static void putAgent(String tenant, String agentId, Map<String, Object> body) {
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(body)
                .put("/admin/v1/tenants/{t}/agents/{a}", tenant, agentId).then().statusCode(200)
                .body("agentId", equalTo(agentId));
    }

    private static NodeDispatchMessage step(String tenant, String agentId, Map<String, Object> inputs) {
        String runId = "run-" + UUID.randomUUID();
        return new NodeDispatchMessage(1, tenant, runId, "step-2", "capstan.agentStep", 1, runId + ":step-2:1", inputs,
                Map.of("agentId", agentId, "action", "AGENT", "stepOrder", 2), null, Map.of(), System.currentTimeMillis());
    }

    @Test
    void anAgentStepStreamsChunksThenCompletesWithContentTokensAndCost() throws Exception {
        String t = tenant();
        Map<String, Object> agent = new HashMap<>();
        agent.put("provider", "openai");
        agent.put("model", "gpt-4o-mini");
        agent.put("systemPrompt", "You greet people.");
        agent.put("temperature", 0.3);
        agent.put("maxTokens", 64);
        agent.put("credentialRef", "provider-key");
        agent.put("baseUrl", PROVIDER.url("/openai"));
        putAgent(t, "greeter", agent);

        NodeDispatchMessage d = step(t, "greeter", Map.of("input", Map.of("input", "Greet the world"), "previous", "World found."));
        NodeResultMessage done = kafka.sendAndAwait(d);
        List<NodeResultMessage> all = kafka.resultsOf(d.invocationId());

        List<NodeResultMessage> chunks = all.stream().filter(m -> m.outcome().equals("progress")).toList();
        assertThat(chunks).extracting(m -> m.chunk().get("text")).containsExactly("Hello", ", world", "");
        assertThat(chunks).extracting(m -> m.chunk().get("channel")).containsOnly("ai.message.chunk");
        assertThat(all.get(all.size() - 1)).isEqualTo(done);
        assertThat(done.outcome()).isEqualTo("completed");
        assertThat(done.outputs()).containsEntry("content", "Hello, world").containsEntry("finishReason", "stop")
                .containsEntry("agent", Map.of("id", "greeter", "definition", "stored"));
        // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
        assertThat(done.cost()).containsEntry("inputTokens", 1000).containsEntry("outputTokens", 2000)
                .containsEntry("usd", 0.00135).containsEntry("provider", "openai");

        LoopbackServer.Received req = PROVIDER.received("/openai/chat/completions").stream()
                .filter(r -> d.invocationId().equals(r.header("Idempotency-Key"))).findFirst().orElseThrow();
        assertThat(req.header("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = json.readTree(req.body());
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You greet people.");
        assertThat(body.path("messages").get(1).path("content").asText())
                .isEqualTo("Greet the world\n\nOutput of the previous step:\nWorld found.");
        assertThat(json.writeValueAsString(all)).doesNotContain(KEY);
    }

    @Test
    void anAgentIdTheTenantHasNotDefinedUsesItsDefaultAgent() {
        String t = tenant();
        putAgent(t, "default", Map.of("provider", "anthropic", "credentialRef", "provider-key", "baseUrl",
                PROVIDER.url("/anthropic")));

        NodeResultMessage done = kafka.sendAndAwait(step(t, "never-defined", Map.of("input", Map.of("message", "Salut"))));

        assertThat(done.outputs()).containsEntry("content", "Bonjour")
                .containsEntry("agent", Map.of("id", "never-defined", "definition", "tenant-default"));
        // claude-sonnet-4: $3 in, $15 out per million tokens.
        assertThat(done.cost()).containsEntry("usd", 4.5).containsEntry("model", "claude-sonnet-4-20250514");
    }

    @Test
    void agentDefinitionsAreReadListedValidatedAndDeletedThroughTheAdminApi() {
        String t = tenant();
        putAgent(t, "writer", Map.of("provider", "OpenAI", "model", "gpt-4o", "systemPrompt", "Write."));

        given().header("Authorization", TOKEN).get("/admin/v1/tenants/{t}/agents/writer", t).then().statusCode(200)
                .body("provider", equalTo("openai")).body("model", equalTo("gpt-4o")).body("tenantId", equalTo(t));
        given().header("Authorization", TOKEN).get("/admin/v1/tenants/{t}/agents", t).then().statusCode(200)
                .body("agents", hasSize(1)).body("agents[0].agentId", equalTo("writer")).body("truncated", equalTo(false));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("provider", "gemini"))
                .put("/admin/v1/tenants/{t}/agents/bad", t).then().statusCode(400)
                .body("error", equalTo("validation_error")).body("details.field", equalTo("provider"));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("temperature", 3))
                .put("/admin/v1/tenants/{t}/agents/bad", t).then().statusCode(400).body("details.field", equalTo("temperature"));
        given().contentType(ContentType.JSON).body(Map.of("model", "x"))
                .put("/admin/v1/tenants/{t}/agents/writer", t).then().statusCode(401).body("error", equalTo("unauthenticated"));
        given().header("Authorization", TOKEN).delete("/admin/v1/tenants/{t}/agents/writer", t).then().statusCode(204);
        given().header("Authorization", TOKEN).get("/admin/v1/tenants/{t}/agents/writer", t).then().statusCode(404)
                .body("error", equalTo("not_found"));
        given().header("Authorization", TOKEN).delete("/admin/v1/tenants/{t}/agents/writer", t).then().statusCode(404);
    }
}
