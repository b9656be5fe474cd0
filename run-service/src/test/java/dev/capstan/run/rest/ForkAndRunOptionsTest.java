package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.GatewayIdentity;
import dev.capstan.run.testing.RecordingHttpServer;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fork (OpenWOP §4): a replay reproduces the source's node outputs without calling the outside world again; a
 * branch re-executes from its point; bad fork requests get their statuses. And the {@code configurable} rules:
 * reserved keys checked, vendor keys prefixed, a mock provider only with a test key.
 */
@QuarkusTest
@TestProfile(LocalNodesTest.Enabled.class)
class ForkAndRunOptionsTest extends WithTestExecutor {

    private static final String TENANT = "t-loopback";

    private RecordingHttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new RecordingHttpServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void aReplayForkReproducesOutputsWithoutCallingTheTargetAgain() {
        String source = completedChainRun("fork-replay");
        Map<String, Object> sourceSnapshot = snapshot(source);
        int callsBefore = server.calls().size();

        String forked = given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(Map.of("mode", "replay")).when().post("/v1/runs/" + source + ":fork")
                .then().statusCode(201)
                .body("sourceRunId", equalTo(source)).body("mode", equalTo("replay")).body("fromSeq", equalTo(0))
                .extract().path("runId");

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, forked);
        assertThat(types(events)).contains("capstan.run.forked").endsWith("run.completed");
        assertThat(server.calls()).hasSize(callsBefore);
        Map<String, Object> forkedSnapshot = snapshot(forked);
        assertThat(forkedSnapshot.get("nodeStates").toString()).contains("/step/c");
        assertThat(outputsOf(forkedSnapshot, "c")).isEqualTo(outputsOf(sourceSnapshot, "c"));
    }

    @Test
    void aBranchForkReExecutesTheNodesAfterItsPoint() {
        String source = completedChainRun("fork-branch");
        List<Map<String, Object>> sourceEvents = eventsUntilComplete(TENANT, source);
        long afterA = sourceEvents.stream().filter(e -> "node.completed".equals(e.get("type")) && "a".equals(e.get("nodeId")))
                .mapToLong(e -> ((Number) e.get("sequence")).longValue()).findFirst().orElseThrow() + 1;
        server.calls().clear();

        String forked = given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(Map.of("mode", "branch", "fromSeq", afterA, "runOptionsOverlay", Map.of("acme.label", "retry")))
                .when().post("/v1/runs/" + source + ":fork")
                .then().statusCode(201).body("mode", equalTo("branch")).extract().path("runId");

        assertThat(types(eventsUntilComplete(TENANT, forked))).endsWith("run.completed");
        assertThat(server.calls()).extracting(c -> c.get("path")).containsExactly("/step/b", "/step/c");
        assertThat(server.calls()).extracting(c -> c.get("idempotencyKey")).allMatch(k -> k.startsWith(forked + ":"));
    }

    @Test
    void badForkRequestsAreRefusedWithTheirStatuses() {
        String source = completedChainRun("fork-errors");
        fork(source, Map.of("mode", "replay", "runOptionsOverlay", Map.of("acme.x", 1)), caller(TENANT))
                .statusCode(400).body("error", equalTo("validation_error"));
        fork(source, Map.of("mode", "branch", "fromSeq", -1), caller(TENANT)).statusCode(400);
        fork(source, Map.of("mode", "branch"), caller(TENANT)).statusCode(400);
        fork(source, Map.of("mode", "sideways"), caller(TENANT)).statusCode(400);
        fork(source, Map.of("mode", "replay", "extra", true), caller(TENANT)).statusCode(400);
        fork(source, Map.of("mode", "branch", "fromSeq", 10_000), caller(TENANT))
                .statusCode(422).body("error", equalTo("fork_out_of_range"));
        fork(source, Map.of("mode", "replay"), caller("t-other")).statusCode(404);
        fork(source, Map.of("mode", "replay"), GatewayIdentity.token(TENANT, "runs:create")).statusCode(403);
    }

    @Test
    void configurableKeysAreCheckedAndAMockProviderNeedsATestKey() {
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(server.chain("opts", List.of("a"), "/opts/", null)).when().post("/v1/workflows").then().statusCode(201);
        startWith(caller(TENANT), Map.of("recursionLimit", 0)).statusCode(400).body("details.field", equalTo("configurable.recursionLimit"));
        startWith(caller(TENANT), Map.of("temperature", 3)).statusCode(400);
        startWith(caller(TENANT), Map.of("unprefixed", true)).statusCode(400);
        startWith(caller(TENANT), Map.of("ai.provider", "acme-llm")).statusCode(403).body("error", equalTo("credential_forbidden"));
        startWith(caller(TENANT), Map.of("mockProvider", Map.of("id", "stream-text"))).statusCode(403)
                .body("error", equalTo("mock_provider_forbidden"));
        String testKey = GatewayIdentity.testModeToken(TENANT, "workspace:write", "runs:create", "runs:read");
        startWith(testKey, Map.of("mockProvider", Map.of("id", "stream-text"))).statusCode(201);
        String runId = startWith(caller(TENANT), Map.of("acme.label", "x", "recursionLimit", 5, "budget", Map.of("usd", 2)))
                .statusCode(201).extract().path("runId");
        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("configurable.recursionLimit", equalTo(5));
    }

    private io.restassured.response.ValidatableResponse startWith(String identity, Map<String, Object> configurable) {
        return given().header(IdentityToken.HEADER, identity).contentType("application/json")
                .body(Map.of("workflowId", "opts", "inputs", Map.of(), "configurable", configurable))
                .when().post("/v1/runs").then();
    }

    private io.restassured.response.ValidatableResponse fork(String runId, Map<String, Object> body, String identity) {
        return given().header(IdentityToken.HEADER, identity).contentType("application/json").body(body)
                .when().post("/v1/runs/" + runId + ":fork").then();
    }

    private String completedChainRun(String workflowId) {
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(server.chain(workflowId, List.of("a", "b", "c"), "/step/", null))
                .when().post("/v1/workflows").then().statusCode(201);
        String runId = start(TENANT, workflowId, Map.of());
        assertThat(types(eventsUntilComplete(TENANT, runId))).endsWith("run.completed");
        return runId;
    }

    private static Map<String, Object> snapshot(String runId) {
        return given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).extract().jsonPath().getMap("$");
    }

    @SuppressWarnings("unchecked")
    private static Object outputsOf(Map<String, Object> snapshot, String nodeId) {
        return ((Map<String, Map<String, Object>>) snapshot.get("nodeStates")).get(nodeId).get("outputs");
    }
}
