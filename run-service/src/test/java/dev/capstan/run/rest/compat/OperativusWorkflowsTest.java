package dev.capstan.run.rest.compat;

import static dev.capstan.run.testing.RunsClient.caller;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Operativus /api/v1/workflows surface, called the way the agm SDK calls it (JSON bodies, page JSON, polling /runs). */
@QuarkusTest
class OperativusWorkflowsTest extends WithTestExecutor {

    private static final String TENANT = "tenant-operativus";

    private static RequestSpecification as(String tenant) {
        return given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json");
    }

    private static String createWorkflow(String name, List<Map<String, Object>> steps) {
        String id = as(TENANT).body(Map.of("name", name, "description", "compat test")).when().post("/api/v1/workflows")
                .then().statusCode(201).body("stepCount", equalTo(0)).extract().path("id");
        for (Map<String, Object> step : steps) {
            as(TENANT).body(step).when().post("/api/v1/workflows/" + id + "/steps").then().statusCode(201).body("workflowId", equalTo(id));
        }
        return id;
    }

    /** Polls the run list every 300 ms (their harness: every 3 s) until the run reaches one of the statuses. */
    private static Map<String, Object> pollRun(String workflowId, String runId, String... statuses) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            List<Map<String, Object>> runs = as(TENANT).when().get("/api/v1/workflows/" + workflowId + "/runs?page=0&size=20")
                    .then().statusCode(200).extract().jsonPath().getList("content");
            for (Map<String, Object> run : runs) {
                if (run.get("id").equals(runId) && List.of(statuses).contains(run.get("status"))) {
                    return run;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("run " + runId + " never reached " + List.of(statuses));
    }

    @Test
    void aStepListWorkflowIsAuthoredRunAndListedWithOperativusShapes() throws Exception {
        String id = createWorkflow("two steps", List.of(Map.of("stepOrder", 1, "agentId", "writer", "action", "AGENT"),
                Map.of("stepOrder", 2, "agentId", "editor")));

        as(TENANT).when().get("/api/v1/workflows/" + id).then().statusCode(200).body("stepCount", equalTo(2)).body("name", equalTo("two steps"));
        as(TENANT).when().get("/api/v1/workflows/" + id + "/steps").then().statusCode(200).body("", hasSize(2))
                .body("[0].agentId", equalTo("writer")).body("[1].stepOrder", equalTo(2));
        JsonPath page = as(TENANT).when().get("/api/v1/workflows?page=0&size=500").then().statusCode(200).extract().jsonPath();
        assertThat(page.getInt("page.size")).isEqualTo(200);
        assertThat(page.getInt("page.number")).isZero();
        assertThat(page.getLong("page.totalElements")).isPositive();
        assertThat(page.getList("content.id")).contains(id);

        JsonPath started = as(TENANT).body(Map.of("input", "hello", "sessionId", "s-1")).when().post("/api/v1/workflows/" + id + "/run")
                .then().statusCode(202).extract().jsonPath();
        assertThat(started.getString("workflowId")).isEqualTo(id);
        assertThat(started.getString("sessionId")).isEqualTo("s-1");
        String runId = started.getString("jobId");

        Map<String, Object> run = pollRun(id, runId, "COMPLETED", "FAILED");
        assertThat(run.get("status")).isEqualTo("COMPLETED");
        assertThat(run.get("sessionId")).isEqualTo("s-1");
        assertThat(run.get("lastStepOrder")).isEqualTo(2);
        assertThat(((Number) run.get("durationMs")).longValue()).isNotNegative();

        List<Map<String, Object>> nodeRuns = as(TENANT).when().get("/api/v1/workflows/runs/" + runId + "/node-runs")
                .then().statusCode(200).extract().jsonPath().getList("");
        assertThat(nodeRuns).hasSize(2).allMatch(n -> Boolean.TRUE.equals(n.get("success")));

        // Cancelling a finished run is an idempotent no-op.
        as(TENANT).when().delete("/api/v1/workflows/runs/" + runId).then().statusCode(204);
    }

    @Test
    void aHumanReviewStepPausesTheRunUntilResumed() throws Exception {
        String id = createWorkflow("reviewed", List.of(Map.of("stepOrder", 1, "agentId", "writer",
                "humanReview", Map.of("requiresOutputReview", true)), Map.of("stepOrder", 2, "agentId", "publisher")));
        String runId = as(TENANT).body(Map.of("input", "draft")).when().post("/api/v1/workflows/" + id + "/run")
                .then().statusCode(202).extract().path("jobId");

        pollRun(id, runId, "AWAITING_HUMAN_REVIEW");
        as(TENANT).body(Map.of("output", "looks good")).when().post("/api/v1/workflows/runs/" + runId + "/resume")
                .then().statusCode(202).body("runId", equalTo(runId));
        assertThat(pollRun(id, runId, "COMPLETED", "FAILED").get("status")).isEqualTo("COMPLETED");
        // Nothing is waiting any more.
        as(TENANT).body(Map.of("output", "again")).when().post("/api/v1/workflows/runs/" + runId + "/resume")
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void aCancelledRunReadsCancelledAndCancellingAgainIsIdempotent() throws Exception {
        String id = createWorkflow("gated", List.of(Map.of("stepOrder", 1, "agentId", "writer", "requiresConfirmation", true)));
        String runId = as(TENANT).body(Map.of("input", "x")).when().post("/api/v1/workflows/" + id + "/run")
                .then().statusCode(202).extract().path("jobId");
        pollRun(id, runId, "AWAITING_HUMAN_REVIEW");

        as(TENANT).when().delete("/api/v1/workflows/runs/" + runId).then().statusCode(204);
        assertThat(pollRun(id, runId, "CANCELLED").get("status")).isEqualTo("CANCELLED");
        as(TENANT).when().delete("/api/v1/workflows/runs/" + runId).then().statusCode(204);
    }

    @Test
    void anotherTenantsWorkflowsAndRunsAreNotFoundAndItsRunListIsEmpty() throws Exception {
        String id = createWorkflow("private", List.of(Map.of("stepOrder", 1, "agentId", "writer", "requiresConfirmation", true)));
        String runId = as(TENANT).body(Map.of("input", "x")).when().post("/api/v1/workflows/" + id + "/run")
                .then().statusCode(202).extract().path("jobId");
        String other = "tenant-operativus-other";

        as(other).when().get("/api/v1/workflows/" + id).then().statusCode(404).contentType("application/problem+json")
                .body("status", equalTo(404)).body("title", equalTo("Resource Not Found"));
        as(other).when().get("/api/v1/workflows/" + id + "/steps").then().statusCode(404);
        as(other).body(Map.of("input", "x")).when().post("/api/v1/workflows/" + id + "/run").then().statusCode(404);
        as(other).when().get("/api/v1/workflows/" + id + "/runs").then().statusCode(200).body("content", hasSize(0))
                .body("page.totalElements", equalTo(0));
        as(other).body(Map.of("output", "x")).when().post("/api/v1/workflows/runs/" + runId + "/resume").then().statusCode(404);
        as(other).when().delete("/api/v1/workflows/runs/" + runId).then().statusCode(404);
        as(other).when().get("/api/v1/workflows/runs/" + runId + "/node-runs").then().statusCode(404);
        // Deleting is a silent 204 for a foreign id, and leaves the owner's workflow in place.
        as(other).when().delete("/api/v1/workflows/" + id).then().statusCode(204);
        as(TENANT).when().get("/api/v1/workflows/" + id).then().statusCode(200);
        as(TENANT).when().delete("/api/v1/workflows/runs/" + runId).then().statusCode(204);
    }

    @Test
    void callsWithoutTheGatewayIdentityAndUnservableEditsAreRefusedAsProblems() {
        given().contentType("application/json").when().get("/api/v1/workflows").then().statusCode(401).contentType("application/problem+json");
        String id = createWorkflow("edges", List.of());
        as(TENANT).body(Map.of("input", "x")).when().post("/api/v1/workflows/" + id + "/run").then().statusCode(400)
                .contentType("application/problem+json");
        as(TENANT).body(Map.of("fromStepId", "a", "toStepId", "b")).when().post("/api/v1/workflows/" + id + "/edges").then().statusCode(501);
        as(TENANT).body(Map.of("stepOrder", 1, "agentId", "r", "action", "ROUTER")).when().post("/api/v1/workflows/" + id + "/steps")
                .then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("ROUTER"));
        as(TENANT).when().get("/api/v1/workflows/" + id + "/graph").then().statusCode(200).body("edges", hasSize(0));
    }
}
