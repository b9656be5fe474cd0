package dev.capstan.run.rest.compat;

import static dev.capstan.run.testing.RunsClient.caller;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The AgentOS /workflows surface, called as agno's AgentOSClient does: form posts, and SSE read by its
 * {@code data:} lines only, dispatching on {@code data.event} and dropping names it does not know.
 */
@QuarkusTest
class AgentOsWorkflowsTest extends WithTestExecutor {

    private static final String TENANT = "tenant-agentos";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Event names the agno client parses (workflow and agent events); anything else it skips. */
    private static final Set<String> KNOWN = Set.of("WorkflowStarted", "WorkflowCompleted", "WorkflowPaused", "WorkflowCancelled",
            "WorkflowError", "StepStarted", "StepCompleted", "StepError", "RunContent");

    @TestHTTPResource("/")
    URI base;

    private static RequestSpecification as(String tenant) {
        return given().header(IdentityToken.HEADER, caller(tenant));
    }

    private String stepListWorkflow(String name, boolean review) {
        Map<String, Object> first = review ? Map.of("stepOrder", 1, "agentId", "writer", "humanReview", Map.of("requiresOutputReview", true))
                : Map.of("stepOrder", 1, "agentId", "writer");
        String id = as(TENANT).contentType("application/json").body(Map.of("name", name)).post("/api/v1/workflows").then().statusCode(201)
                .extract().path("id");
        as(TENANT).contentType("application/json").body(first).post("/api/v1/workflows/" + id + "/steps").then().statusCode(201);
        as(TENANT).contentType("application/json").body(Map.of("stepOrder", 2, "agentId", "editor"))
                .post("/api/v1/workflows/" + id + "/steps").then().statusCode(201);
        return id;
    }

    /** POSTs a form the way the client does and parses the SSE body as it does: data lines only, by data.event. */
    private List<JsonNode> streamForm(String path, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded").header(IdentityToken.HEADER, caller(TENANT))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<JsonNode> events = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data:")) {
                JsonNode data = JSON.readTree(line.substring(5).trim());
                if (KNOWN.contains(data.path("event").asText())) {
                    events.add(data);
                }
            }
        }
        return events;
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.path("event").asText()).toList();
    }

    @Test
    void aStreamedRunEmitsAgentOsEventsAndItsOutputIsReadableBySession() throws Exception {
        String id = stepListWorkflow("streamed", false);
        given().header(IdentityToken.HEADER, caller(TENANT)).get("/config").then().statusCode(200)
                .body("workflows.id", org.hamcrest.Matchers.hasItem(id));

        List<JsonNode> events = streamForm("/workflows/" + id + "/runs", Map.of("message", "write a haiku", "session_id", "sess-1"));
        assertThat(names(events)).startsWith("WorkflowStarted").endsWith("WorkflowCompleted")
                .contains("StepStarted", "RunContent", "StepCompleted");
        JsonNode content = events.stream().filter(e -> e.path("event").asText().equals("RunContent")).findFirst().orElseThrow();
        assertThat(content.path("agent_id").asText()).isEqualTo("writer");
        String runId = events.get(0).path("run_id").asText();
        assertThat(events).allMatch(e -> e.path("session_id").asText().equals("sess-1") && e.path("run_id").asText().equals(runId));

        as(TENANT).queryParam("session_id", "sess-1").get("/workflows/" + id + "/runs/" + runId).then().statusCode(200)
                .body("status", equalTo("COMPLETED")).body("run_id", equalTo(runId));
        as(TENANT).queryParam("session_id", "sess-1").get("/workflows/" + id + "/runs").then().statusCode(200)
                .body("run_id", org.hamcrest.Matchers.hasItem(runId));
        as(TENANT).queryParam("session_id", "other-session").get("/workflows/" + id + "/runs/" + runId).then().statusCode(404)
                .body("detail", equalTo("Run not found"));
    }

    @Test
    void aNonStreamedRunReturnsTheOutputAndABackgroundRunIsPending() {
        String id = stepListWorkflow("plain", false);
        as(TENANT).multiPart("message", "hi").multiPart("stream", "false").post("/workflows/" + id + "/runs").then().statusCode(200)
                .body("status", equalTo("COMPLETED")).body("workflow_id", equalTo(id)).body("input", equalTo("hi"));
        as(TENANT).multiPart("message", "hi").multiPart("stream", "false").multiPart("background", "true")
                .post("/workflows/" + id + "/runs").then().statusCode(202).body("status", equalTo("PENDING"));
    }

    @Test
    void aReviewPausesTheStreamAndContinueStreamsTheRestOfTheRun() throws Exception {
        String id = stepListWorkflow("reviewed", true);
        List<JsonNode> first = streamForm("/workflows/" + id + "/runs", Map.of("message", "draft", "session_id", "sess-2"));
        assertThat(names(first)).last().isEqualTo("WorkflowPaused");
        JsonNode paused = first.get(first.size() - 1);
        String runId = paused.path("run_id").asText();
        assertThat(paused.path("step_requirements").get(0).path("requires_confirmation").asBoolean()).isTrue();

        List<JsonNode> rest = streamForm("/workflows/" + id + "/runs/" + runId + "/continue",
                Map.of("session_id", "sess-2", "step_requirements", "[{\"confirmed\": true}]"));
        assertThat(names(rest)).endsWith("WorkflowCompleted").doesNotContain("WorkflowStarted");

        as(TENANT).multiPart("step_requirements", "[]").multiPart("stream", "false").post("/workflows/" + id + "/runs/" + runId + "/continue")
                .then().statusCode(409);
    }

    @Test
    void cancellingAPausedRunEndsItAndCancelIsAlwaysEmptyJson() throws Exception {
        String id = stepListWorkflow("cancelled", true);
        List<JsonNode> first = streamForm("/workflows/" + id + "/runs", Map.of("message", "x", "session_id", "sess-3", "background", "true"));
        String runId = first.get(0).path("run_id").asText();
        as(TENANT).post("/workflows/" + id + "/runs/" + runId + "/cancel").then().statusCode(200).body(equalTo("{}"));
        as(TENANT).queryParam("session_id", "sess-3").get("/workflows/" + id + "/runs/" + runId).then().statusCode(200)
                .body("status", equalTo("CANCELLED"));
        as(TENANT).post("/workflows/" + id + "/runs/" + runId + "/cancel").then().statusCode(200).body(equalTo("{}"));
    }

    @Test
    void anotherTenantGetsDetail404sAndCallsWithoutIdentityAre401() throws Exception {
        String id = stepListWorkflow("private", true);
        List<JsonNode> first = streamForm("/workflows/" + id + "/runs", Map.of("message", "x", "session_id", "sess-4", "background", "true"));
        String runId = first.get(0).path("run_id").asText();
        String other = "tenant-agentos-other";

        as(other).get("/workflows/" + id).then().statusCode(404).body("detail", equalTo("Workflow not found"));
        as(other).multiPart("message", "x").post("/workflows/" + id + "/runs").then().statusCode(404).body("detail", equalTo("Workflow not found"));
        as(other).queryParam("session_id", "sess-4").get("/workflows/" + id + "/runs/" + runId).then().statusCode(404)
                .body("detail", equalTo("Run not found"));
        as(other).post("/workflows/" + id + "/runs/" + runId + "/cancel").then().statusCode(404);
        as(other).multiPart("step_requirements", "[]").post("/workflows/" + id + "/runs/" + runId + "/continue").then().statusCode(404);
        as(other).get("/workflows").then().statusCode(200).body("id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(id)));
        given().get("/workflows").then().statusCode(401).body("detail", org.hamcrest.Matchers.notNullValue());
        given().multiPart("message", "x").post("/workflows/" + id + "/runs").then().statusCode(401);
        as(TENANT).post("/workflows/" + id + "/runs/" + runId + "/cancel").then().statusCode(200);
    }
}
