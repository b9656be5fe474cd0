package dev.capstan.run.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.register;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RunLifecycleTest extends WithTestExecutor {

    private static final String TENANT = "tenant-runs";

    private static void assertContiguousWithOneTerminalLast(List<Map<String, Object>> events) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(((Number) events.get(i).get("sequence")).longValue()).isEqualTo(i);
        }
        List<String> types = types(events);
        long terminals = types.stream().filter(t -> t.equals("run.completed") || t.equals("run.failed") || t.equals("run.cancelled")).count();
        assertThat(terminals).isEqualTo(1);
        assertThat(types.get(types.size() - 1)).isIn("run.completed", "run.failed", "run.cancelled");
    }

    @Test
    void theNoopFixtureCompletesThroughTheRealDispatchAndResultTopics() throws IOException {
        register(TENANT, "conformance-noop");
        String runId = start(TENANT, "conformance-noop", Map.of("greeting", "hi"));

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertContiguousWithOneTerminalLast(events);
        assertThat(types(events)).startsWith("run.started").contains("node.started", "node.completed").endsWith("run.completed");

        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200)
                .body("runId", equalTo(runId))
                .body("status", equalTo("completed"))
                .body("owner.tenant", equalTo(TENANT))
                .body("tags[0]", equalTo("t1"));
        assertThat(executor.received()).anySatisfy(d -> {
            assertThat(d.runId()).isEqualTo(runId);
            assertThat(d.invocationId()).isEqualTo(runId + ":noop:0");
            assertThat(d.tenantId()).isEqualTo(TENANT);
        });
    }

    @Test
    void theFailureFixtureFailsWithTheNodesError() throws IOException {
        register(TENANT, "conformance-failure");
        String runId = start(TENANT, "conformance-failure", Map.of());

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertContiguousWithOneTerminalLast(events);
        assertThat(types(events)).contains("node.failed").endsWith("run.failed");
        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("failed")).body("error.code", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void theDelayFixtureWaitsOnADurableTimerAndCompletes() throws IOException {
        register(TENANT, "conformance-delay");
        String runId = start(TENANT, "conformance-delay", Map.of("delayMs", 300));

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertContiguousWithOneTerminalLast(events);
        assertThat(types(events)).endsWith("run.completed");
        assertThat(executor.received()).noneMatch(d -> d.runId().equals(runId));
    }

    @Test
    void aLongDelayIsCancelledOnRequest() throws IOException {
        register(TENANT, "conformance-cancellable");
        String runId = start(TENANT, "conformance-cancellable", Map.of("delayMs", 600_000));

        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body(Map.of("reason", "test"))
                .when().post("/v1/runs/" + runId + "/cancel")
                .then().statusCode(200).body("runId", equalTo(runId)).body("status", equalTo("cancelled"));
        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertContiguousWithOneTerminalLast(events);
        assertThat(types(events)).endsWith("run.cancelled");

        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body("{}").when().post("/v1/runs/" + runId + "/cancel"), 409, "run_terminal");
    }

    @Test
    void aDuplicatedResultIsAppliedOnce() throws IOException {
        register(TENANT, "conformance-noop");
        executor.sendTwice("noop");
        String runId = start(TENANT, "conformance-noop", Map.of());

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertContiguousWithOneTerminalLast(events);
        assertThat(types(events).stream().filter("node.completed"::equals)).hasSize(1);
    }

    @Test
    void anotherTenantsRunIsNotFound() throws IOException {
        register(TENANT, "conformance-noop");
        String runId = start(TENANT, "conformance-noop", Map.of());
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller("tenant-other"))
                .when().get("/v1/runs/" + runId), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller("tenant-other"))
                .when().get("/v1/runs/" + runId + "/events/poll"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller("tenant-other")).contentType("application/json")
                .body("{}").when().post("/v1/runs/" + runId + "/cancel"), 404, "not_found");
    }

    @Test
    void startingAnUnknownWorkflowIsAValidationError() {
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(Map.of("workflowId", "no-such-workflow")).when().post("/v1/runs"), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body("{}").when().post("/v1/runs"), 400, "validation_error");
    }

    @Test
    void runsAreListedNewestFirstWithFiltersAndCursorPages() throws IOException {
        String tenant = "tenant-run-list";
        register(tenant, "conformance-noop");
        register(tenant, "conformance-failure");
        String first = start(tenant, "conformance-noop", Map.of());
        String second = start(tenant, "conformance-failure", Map.of());
        String third = start(tenant, "conformance-noop", Map.of());
        eventsUntilComplete(tenant, third);
        eventsUntilComplete(tenant, second);

        String cursor = given().header(IdentityToken.HEADER, caller(tenant)).queryParam("limit", 2).when().get("/v1/runs")
                .then().statusCode(200).body("runs.runId", org.hamcrest.Matchers.contains(third, second))
                .extract().path("nextCursor");
        given().header(IdentityToken.HEADER, caller(tenant)).queryParam("limit", 2).queryParam("cursor", cursor).when().get("/v1/runs")
                .then().statusCode(200).body("runs.runId", org.hamcrest.Matchers.contains(first))
                .body("nextCursor", org.hamcrest.Matchers.nullValue());
        given().header(IdentityToken.HEADER, caller(tenant)).queryParam("workflowId", "conformance-failure").when().get("/v1/runs")
                .then().statusCode(200).body("runs.runId", org.hamcrest.Matchers.contains(second))
                .body("runs[0].status", equalTo("failed"));
        given().header(IdentityToken.HEADER, caller(tenant)).queryParam("status", "failed").queryParam("tag", "t1").when().get("/v1/runs")
                .then().statusCode(200).body("runs.runId", org.hamcrest.Matchers.contains(second));
        given().header(IdentityToken.HEADER, caller(tenant)).queryParam("tag", "no-such-tag").when().get("/v1/runs")
                .then().statusCode(200).body("runs", org.hamcrest.Matchers.empty());
        given().header(IdentityToken.HEADER, caller("tenant-run-list-other")).when().get("/v1/runs")
                .then().statusCode(200).body("runs", org.hamcrest.Matchers.empty());
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(tenant)).queryParam("cursor", "garbage!")
                .when().get("/v1/runs"), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(tenant)).queryParam("createdAfter", "yesterday")
                .when().get("/v1/runs"), 400, "validation_error");
    }

    @Test
    void aVariableSetByANodeIsRecordedAndShownInTheSnapshot() {
        String definition = "{\"id\":\"wf-setvar\",\"name\":\"Set\",\"version\":\"1.0\",\"nodes\":[{\"id\":\"set\","
                + "\"typeId\":\"core.setVariable\",\"name\":\"Set\",\"position\":{\"x\":0,\"y\":0},"
                + "\"config\":{\"name\":\"colour\",\"value\":\"blue\"},\"inputs\":{}}],\"edges\":[],\"triggers\":[],"
                + "\"variables\":[{\"name\":\"colour\",\"type\":\"string\"}],\"metadata\":{},\"settings\":{}}";
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body(definition)
                .when().post("/v1/workflows").then().statusCode(201);
        String runId = start(TENANT, "wf-setvar", Map.of());

        assertThat(types(eventsUntilComplete(TENANT, runId))).contains("variable.changed").endsWith("run.completed");
        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("variables.colour", equalTo("blue"));
    }
}
