package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntil;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.register;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RunControlTest extends WithTestExecutor {

    private static final String TENANT = "tenant-control";

    private static io.restassured.response.Response resolve(String tenant, String runId, String nodeId, Object resumeValue) {
        return given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json")
                .body(Map.of("resumeValue", resumeValue))
                .when().post("/v1/runs/" + runId + "/interrupts/" + nodeId);
    }

    @Test
    void anApprovalSuspendsTheRunUntilAcceptedAndRefusesInvalidAndRepeatedAnswers() throws Exception {
        register(TENANT, "conformance-approval");
        String runId = start(TENANT, "conformance-approval", Map.of());
        eventsUntil(TENANT, runId, "node.suspended");

        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("waiting-approval")).body("currentNodeId", equalTo("gate"));
        ErrorEnvelopeAssertions.assertEnvelope(resolve(TENANT, runId, "gate", Map.of("action", "maybe")), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(resolve(TENANT, runId, "no-such-node", Map.of("action", "accept")), 404, "interrupt_not_found");
        ErrorEnvelopeAssertions.assertEnvelope(resolve("tenant-elsewhere", runId, "gate", Map.of("action", "accept")), 404, "not_found");

        resolve(TENANT, runId, "gate", Map.of("action", "accept")).then().statusCode(200)
                .body("runId", equalTo(runId)).body("nodeId", equalTo("gate"));
        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertThat(types(events)).contains("interrupt.requested", "node.suspended", "interrupt.resolved").endsWith("run.completed");
        ErrorEnvelopeAssertions.assertEnvelope(resolve(TENANT, runId, "gate", Map.of("action", "accept")), 409, "run_terminal");
    }

    @Test
    void twentyConcurrentResolutionsOfOneInterruptHaveExactlyOneWinner() throws Exception {
        register(TENANT, "conformance-approval");
        String runId = start(TENANT, "conformance-approval", Map.of());
        eventsUntil(TENANT, runId, "node.suspended");

        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> attempts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                attempts.add(() -> resolve(TENANT, runId, "gate", Map.of("action", "accept")).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(attempts)) {
                statuses.add(status.get());
            }
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
            assertThat(statuses.stream().filter(s -> s != 200)).allMatch(s -> s == 409);
        } finally {
            pool.shutdownNow();
        }
        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertThat(types(events).stream().filter("interrupt.resolved"::equals)).hasSize(1);
    }

    @Test
    void aClarificationTakesItsAnswersAndCompletes() throws Exception {
        register(TENANT, "conformance-clarification");
        String runId = start(TENANT, "conformance-clarification", Map.of());
        List<Map<String, Object>> suspended = eventsUntil(TENANT, runId, "node.suspended");
        String nodeId = (String) suspended.get(suspended.size() - 1).get("nodeId");

        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("waiting-input"));
        resolve(TENANT, runId, nodeId, Map.of("answers", Map.of("q1", "blue"))).then().statusCode(200);
        assertThat(types(eventsUntilComplete(TENANT, runId))).endsWith("run.completed");
    }

    @Test
    void aPausedRunResumesAndFinishes() throws Exception {
        register(TENANT, "conformance-delay");
        String runId = start(TENANT, "conformance-delay", Map.of("delayMs", 1000));

        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body(Map.of("reason", "hold"))
                .when().post("/v1/runs/" + runId + ":pause")
                .then().statusCode(202).body("runId", equalTo(runId));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body("{}").when().post("/v1/runs/" + runId + ":pause"), 409, "conflict");
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body("{}")
                .when().post("/v1/runs/" + runId + ":resume")
                .then().statusCode(202).body("status", equalTo("running"));
        assertThat(types(eventsUntilComplete(TENANT, runId))).contains("run.paused", "run.resumed").endsWith("run.completed");
    }

    @Test
    void bulkCancelReportsEachRunInRequestOrder() throws Exception {
        register(TENANT, "conformance-cancellable");
        String live = start(TENANT, "conformance-cancellable", Map.of("delayMs", 600_000));
        register(TENANT, "conformance-noop");
        String finished = start(TENANT, "conformance-noop", Map.of());
        eventsUntilComplete(TENANT, finished);

        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(Map.of("runIds", List.of(live, finished, "run_missing"), "reason", "cleanup"))
                .when().post("/v1/runs:bulk-cancel")
                .then().statusCode(200)
                .body("results.runId", org.hamcrest.Matchers.contains(live, finished, "run_missing"))
                .body("results.ok", org.hamcrest.Matchers.contains(true, false, false))
                .body("results[1].error.code", equalTo("run_terminal"))
                .body("results[2].error.code", equalTo("not_found"));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(Map.of("runIds", List.of())).when().post("/v1/runs:bulk-cancel"), 400, "validation_error")
                .body("details.maxRunIds", equalTo(100));
    }

    @Test
    void theSameIdempotencyKeyAndBodyReplayTheFirstRunAndADifferentBodyConflicts() throws Exception {
        register(TENANT, "conformance-noop");
        String key = "key-" + System.nanoTime();
        Map<String, Object> body = Map.of("workflowId", "conformance-noop", "inputs", Map.of("a", 1, "b", 2));
        String first = given().header(IdentityToken.HEADER, caller(TENANT)).header("Idempotency-Key", key).contentType("application/json")
                .body(body).when().post("/v1/runs")
                .then().statusCode(201).header("openwop-Idempotent-Replay", org.hamcrest.Matchers.nullValue())
                .extract().path("runId");
        // Same content, keys in another order: the same request.
        given().header(IdentityToken.HEADER, caller(TENANT)).header("Idempotency-Key", key).contentType("application/json")
                .body("{\"inputs\":{\"b\":2,\"a\":1},\"workflowId\":\"conformance-noop\"}").when().post("/v1/runs")
                .then().statusCode(201).header("openwop-Idempotent-Replay", "true").body("runId", equalTo(first));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(TENANT)).header("Idempotency-Key", key)
                .contentType("application/json").body(Map.of("workflowId", "conformance-noop", "inputs", Map.of("a", 9)))
                .when().post("/v1/runs"), 409, "idempotency_key_mismatch")
                .body("details.runId", org.hamcrest.Matchers.nullValue());
        // The key belongs to its tenant: another tenant's same key is a new request.
        register("tenant-control-2", "conformance-noop");
        String other = given().header(IdentityToken.HEADER, caller("tenant-control-2")).header("Idempotency-Key", key)
                .contentType("application/json").body(body).when().post("/v1/runs")
                .then().statusCode(201).extract().path("runId");
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void aRefusedRequestIsNotRememberedUnderItsKey() {
        String key = "key-refused-" + System.nanoTime();
        Map<String, Object> body = Map.of("workflowId", "wf-registered-later");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(TENANT)).header("Idempotency-Key", key)
                .contentType("application/json").body(body).when().post("/v1/runs"), 400, "validation_error");
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(dev.capstan.run.testing.RunsClient.noopDefinition("wf-registered-later", "later"))
                .when().post("/v1/workflows").then().statusCode(201);
        given().header(IdentityToken.HEADER, caller(TENANT)).header("Idempotency-Key", key).contentType("application/json")
                .body(body).when().post("/v1/runs")
                .then().statusCode(201).header("openwop-Idempotent-Replay", org.hamcrest.Matchers.nullValue());
    }
}
