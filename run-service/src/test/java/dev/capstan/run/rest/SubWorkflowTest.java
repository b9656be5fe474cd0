package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntil;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code core.subWorkflow} end to end: run-service starts the child run through its outbox and the children topic,
 * the child's end comes back as the parent node's result through the real node-results topic, and the other nodes
 * run on the test executor.
 */
@QuarkusTest
class SubWorkflowTest extends WithTestExecutor {

    /** The conformance fixtures are seeded into this tenant in the test profile. */
    private static final String FIXTURES = "conformance";

    @Test
    void theConformanceParentRunsItsChildAndGetsItsVariableThroughOutputMapping() {
        String parentRunId = start(FIXTURES, "conformance-subworkflow-parent", Map.of());
        List<Map<String, Object>> events = eventsUntilComplete(FIXTURES, parentRunId);
        assertThat(types(events)).endsWith("run.completed");

        JsonPath parent = snapshot(FIXTURES, parentRunId);
        assertThat(parent.getString("status")).isEqualTo("completed");
        assertThat(parent.getString("variables.childOutcome")).isEqualTo("child-completed");

        Map<String, Object> outputs = completedOutputs(events, "subwf-call");
        String childRunId = (String) outputs.get("childRunId");
        assertThat(outputs).containsEntry("childStatus", "completed");
        JsonPath child = snapshot(FIXTURES, childRunId);
        assertThat(child.getString("status")).isEqualTo("completed");
        assertThat(child.getString("workflowId")).isEqualTo("conformance-subworkflow-child");
        assertThat(child.getString("parentRunId")).isEqualTo(parentRunId);
        assertThat(child.getString("parentNodeId")).isEqualTo("subwf-call");
        assertThat(child.getString("owner.tenant")).isEqualTo(FIXTURES);
        // The child belongs to the parent's tenant only.
        given().header(IdentityToken.HEADER, caller("someone-else")).when().get("/v1/runs/" + childRunId)
                .then().statusCode(404);
    }

    @Test
    void inputMappingSeedsTheChildOnceFromTheParentsVariablesOverTheChildsDefault() {
        String parentRunId = start(FIXTURES, "conformance-subworkflow-input-mapping", Map.of());
        List<Map<String, Object>> events = eventsUntilComplete(FIXTURES, parentRunId);
        assertThat(types(events)).endsWith("run.completed");
        String childRunId = (String) completedOutputs(events, "subwf-call").get("childRunId");
        assertThat(snapshot(FIXTURES, childRunId).getString("variables.receivedPrdId")).isEqualTo("prd-1");
    }

    @Test
    void aFailedChildFailsItsParentNodeUnlessTheCallContinues() {
        String tenant = "tenant-subwf-failure";
        register(tenant, workflow("failing-child", node("boom", "core.fail", "{}")));
        register(tenant, workflow("strict-parent", node("call", "core.subWorkflow", "{\"workflowId\": \"failing-child\"}")));
        register(tenant, workflow("lenient-parent", node("call", "core.subWorkflow",
                "{\"workflowId\": \"failing-child\", \"onChildFailure\": \"continue\"}")));

        String strict = start(tenant, "strict-parent", Map.of());
        assertThat(types(eventsUntilComplete(tenant, strict))).endsWith("run.failed");
        JsonPath failed = snapshot(tenant, strict);
        assertThat(failed.getString("error.code")).isEqualTo("child_run_failed");

        String lenient = start(tenant, "lenient-parent", Map.of());
        List<Map<String, Object>> events = eventsUntilComplete(tenant, lenient);
        assertThat(types(events)).endsWith("run.completed");
        Map<String, Object> outputs = completedOutputs(events, "call");
        assertThat(outputs).containsEntry("childStatus", "failed");
        assertThat(snapshot(tenant, (String) outputs.get("childRunId")).getString("error.code")).isEqualTo("node_failed");
    }

    @Test
    void anUnknownChildWorkflowAndEndlessSelfNestingFailTheParentNodeWithTheirReasons() {
        String tenant = "tenant-subwf-limits";
        register(tenant, workflow("orphan-parent", node("call", "core.subWorkflow", "{\"workflowId\": \"never-registered\"}")));
        String orphan = start(tenant, "orphan-parent", Map.of());
        List<Map<String, Object>> events = eventsUntilComplete(tenant, orphan);
        assertThat(types(events)).endsWith("run.failed");
        assertThat(nodeFailure(events, "call")).containsEntry("code", "child_workflow_not_found");

        register(tenant, workflow("ouroboros", node("call", "core.subWorkflow", "{\"workflowId\": \"ouroboros\"}")));
        String top = start(tenant, "ouroboros", Map.of());
        assertThat(types(eventsUntilComplete(tenant, top))).endsWith("run.failed");
        assertThat(snapshot(tenant, top).getString("error.code")).isEqualTo("child_run_failed");
        // Walk down the chain: runs at depth 0..7 failed because their child failed; the one at depth 8 (the
        // configured maximum) was refused a ninth level.
        String runId = top;
        for (int depth = 0; depth < 8; depth++) {
            Map<String, Object> failure = nodeFailure(eventsUntilComplete(tenant, runId), "call");
            assertThat(failure).containsEntry("code", "child_run_failed");
            runId = String.valueOf(((Map<?, ?>) failure.get("details")).get("childRunId"));
            assertThat(snapshot(tenant, runId).getInt("childDepth")).isEqualTo(depth + 1);
        }
        assertThat(nodeFailure(eventsUntilComplete(tenant, runId), "call")).containsEntry("code", "subworkflow_depth_exceeded");
    }

    @Test
    void cancellingTheParentCancelsItsWaitingChild() {
        String tenant = "tenant-subwf-cancel";
        register(tenant, workflow("gated-child", "{\"id\": \"gate\", \"typeId\": \"core.approvalGate\", \"name\": \"Gate\","
                + " \"position\": {\"x\": 0, \"y\": 0}, \"config\": {\"title\": \"Wait\", \"actions\": [\"accept\", \"reject\"]},"
                + " \"inputs\": {}}"));
        register(tenant, workflow("cancelling-parent", node("spawn", "core.subWorkflow",
                "{\"workflowId\": \"gated-child\", \"propagateCancellation\": true}")));
        String parentRunId = start(tenant, "cancelling-parent", Map.of());
        String childRunId = awaitChild(tenant, "gated-child");
        eventsUntil(tenant, childRunId, "node.suspended");

        given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json").body(Map.of("reason", "stop"))
                .when().post("/v1/runs/" + parentRunId + "/cancel").then().statusCode(200);
        assertThat(types(eventsUntilComplete(tenant, parentRunId))).endsWith("run.cancelled");
        List<Map<String, Object>> childEvents = eventsUntilComplete(tenant, childRunId);
        assertThat(types(childEvents)).endsWith("run.cancelled");
        @SuppressWarnings("unchecked")
        Map<String, Object> cancelled = (Map<String, Object>) childEvents.get(childEvents.size() - 1).get("payload");
        assertThat(cancelled).containsEntry("reason", "parent-cancelled");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json")
                .body(Map.of("resumeValue", Map.of("action", "accept")))
                .when().post("/v1/runs/" + childRunId + "/interrupts/gate"), 422, "interrupt_cancelled");
    }

    @Test
    void aCallThatDoesNotWaitCompletesAtOnceWithTheChildsRunId() {
        String tenant = "tenant-subwf-async";
        register(tenant, workflow("slow-child", "{\"id\": \"gate\", \"typeId\": \"core.approvalGate\", \"name\": \"Gate\","
                + " \"position\": {\"x\": 0, \"y\": 0}, \"config\": {\"title\": \"Wait\"}, \"inputs\": {}}"));
        register(tenant, workflow("fire-and-forget", node("spawn", "core.subWorkflow",
                "{\"workflowId\": \"slow-child\", \"waitForCompletion\": false}")));
        String parentRunId = start(tenant, "fire-and-forget", Map.of());
        List<Map<String, Object>> events = eventsUntilComplete(tenant, parentRunId);
        assertThat(types(events)).endsWith("run.completed");
        Map<String, Object> outputs = completedOutputs(events, "spawn");
        assertThat(outputs).containsEntry("childStatus", "running");
        String childRunId = (String) outputs.get("childRunId");
        eventsUntil(tenant, childRunId, "node.suspended");
        given().header(IdentityToken.HEADER, caller(tenant)).when().get("/v1/runs/" + childRunId)
                .then().statusCode(200).body("status", equalTo("waiting-approval")).body("parentRunId", equalTo(parentRunId));
    }

    // ---------------------------------------------------------------- helpers

    private static String awaitChild(String tenant, String childWorkflowId) {
        for (int i = 0; i < 100; i++) {
            List<String> ids = given().header(IdentityToken.HEADER, caller(tenant)).queryParam("workflowId", childWorkflowId)
                    .when().get("/v1/runs").then().statusCode(200).extract().jsonPath().getList("runs.runId");
            if (!ids.isEmpty()) {
                return ids.get(0);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no child run of " + childWorkflowId + " was started");
    }

    private static JsonPath snapshot(String tenant, String runId) {
        return given().header(IdentityToken.HEADER, caller(tenant)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).extract().jsonPath();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> completedOutputs(List<Map<String, Object>> events, String nodeId) {
        Map<String, Object> completed = events.stream()
                .filter(e -> "node.completed".equals(e.get("type")) && nodeId.equals(e.get("nodeId")))
                .findFirst().orElseThrow(() -> new AssertionError("no node.completed for " + nodeId + " in " + types(events)));
        return (Map<String, Object>) ((Map<String, Object>) completed.get("payload")).get("outputs");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nodeFailure(List<Map<String, Object>> events, String nodeId) {
        Map<String, Object> failed = events.stream()
                .filter(e -> "node.failed".equals(e.get("type")) && nodeId.equals(e.get("nodeId")))
                .findFirst().orElseThrow(() -> new AssertionError("no node.failed for " + nodeId + " in " + types(events)));
        return (Map<String, Object>) ((Map<String, Object>) failed.get("payload")).get("error");
    }

    private static void register(String tenant, String definition) {
        given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json").body(definition)
                .when().post("/v1/workflows").then().statusCode(201);
    }

    private static String node(String id, String typeId, String configJson) {
        return "{\"id\": \"" + id + "\", \"typeId\": \"" + typeId + "\", \"name\": \"" + id + "\","
                + " \"position\": {\"x\": 0, \"y\": 0}, \"config\": " + configJson + ", \"inputs\": {}}";
    }

    private static String workflow(String id, String nodeJson) {
        return "{\"id\": \"" + id + "\", \"name\": \"" + id + "\", \"version\": \"1.0\", \"nodes\": [" + nodeJson + "],"
                + " \"edges\": [], \"triggers\": [], \"variables\": [], \"metadata\": {}, \"settings\": {}}";
    }
}
