package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.run.testing.RecordingHttpServer;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Local nodes: quick HTTP and core nodes run in run-service itself and commit with the run's next step; a node
 * that names a secret goes to the executors; a run whose local-node lease runs out (as if this replica had died)
 * is reconciled and the node handed to the executors under the same invocation id, and the run completes once.
 */
@QuarkusTest
@TestProfile(LocalNodesTest.Enabled.class)
class LocalNodesTest extends WithTestExecutor {

    /** Local nodes on, with a lease short enough to watch it run out. */
    public static class Enabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("capstan.run.local-nodes.enabled", "true",
                    "capstan.run.local-nodes.lease", "1s");
        }
    }

    private static final String TENANT = "t-loopback";

    @Inject
    Pool pool;

    private RecordingHttpServer server;
    private List<Map<String, String>> calls;

    @BeforeEach
    void startServer() throws IOException {
        server = new RecordingHttpServer();
        calls = server.calls();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void aChainOfHttpNodesRunsLocallyWithoutTheExecutorsAndLeavesNoDispatchBehind() {
        register("local-http3", server.chain("local-http3", List.of("a", "b", "c"), "/step/", null));
        String runId = start(TENANT, "local-http3", Map.of());

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertThat(types(events)).endsWith("run.completed");
        assertThat(types(events).stream().filter("node.completed"::equals)).hasSize(3);
        assertThat(calls).extracting(c -> c.get("path")).containsExactly("/step/a", "/step/b", "/step/c");
        assertThat(calls).extracting(c -> c.get("idempotencyKey"))
                .containsExactly(runId + ":a:0", runId + ":b:0", runId + ":c:0");
        assertThat(calls.get(1).get("body")).contains("\"node\":\"b\"");
        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"))
                .body("nodeStates.c.outputs.body.seen", org.hamcrest.Matchers.equalTo("/step/c"));
        assertThat(executor.received()).noneMatch(d -> d.runId().equals(runId));
        assertThat(hasLocalLease(runId)).isFalse();
    }

    @Test
    void aNodeThatNamesASecretRunsOnTheExecutors() {
        register("local-secret", server.chain("local-secret", List.of("s"), "/secret/", Map.of("type", "bearer", "secretRef", "api-token")));
        String runId = start(TENANT, "local-secret", Map.of());

        assertThat(types(eventsUntilComplete(TENANT, runId))).endsWith("run.completed");
        assertThat(executor.received()).anySatisfy(d -> {
            assertThat(d.runId()).isEqualTo(runId);
            assertThat(d.nodeId()).isEqualTo("s");
        });
        assertThat(calls).isEmpty();
    }

    @Test
    void aLocalNodeWhoseLeaseRunsOutIsHandedToTheExecutorsAndTheRunCompletesOnce() throws InterruptedException {
        server.slowMs = 4000;
        register("local-slow", server.chain("local-slow", List.of("slow"), "/slow/", null));
        String runId = start(TENANT, "local-slow", Map.of());

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertThat(executor.received()).anySatisfy(d -> {
            assertThat(d.runId()).isEqualTo(runId);
            assertThat(d.invocationId()).isEqualTo(runId + ":slow:0");
        });
        assertThat(types(events).stream().filter("node.completed"::equals)).hasSize(1);
        assertThat(types(events)).endsWith("run.completed");
        assertThat(hasLocalLease(runId)).isFalse();
        // The local attempt still finishes; its late outcome changes nothing.
        long deadline = System.currentTimeMillis() + 10_000;
        while (calls.size() < 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(server.slowMs);
        List<Map<String, Object>> after = given().header(IdentityToken.HEADER, caller(TENANT))
                .queryParam("lastSequence", -1).when().get("/v1/runs/" + runId + "/events/poll")
                .then().statusCode(200).extract().jsonPath().getList("events");
        assertThat(after).hasSameSizeAs(events);
    }

    private boolean hasLocalLease(String runId) {
        return pool.preparedQuery("SELECT local_lease_until IS NOT NULL FROM runs WHERE run_id = $1")
                .execute(Tuple.of(runId)).await().atMost(Duration.ofSeconds(5)).iterator().next().getBoolean(0);
    }

    private static void register(String workflowId, String definition) {
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body(definition)
                .when().post("/v1/workflows").then().statusCode(201);
    }
}
