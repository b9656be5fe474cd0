package dev.capstan.executor.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.PostgresServer;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.GatewayIdentity;
import dev.capstan.devstack.testing.HoldingServer;
import dev.capstan.devstack.testing.SharedInfrastructure;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The whole cancel path across both packaged services, as child processes on one embedded PostgreSQL and Kafka: a
 * run's HTTP node is running on the executor (the target holds the request), {@code POST /v1/runs/{id}/cancel} on
 * run-service publishes the cancel, the executor aborts the request (the target sees its connection closed) and
 * records {@code node_cancelled}, and the run stays cancelled with no outcome of the node applied.
 */
class CancelEndToEndIT {

    private static final Path EXECUTOR_JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Path RUN_SERVICE_JAR = Path.of("..", "run-service", "target", "quarkus-app", "quarkus-run.jar");
    private static final String SECRET = "test-only-identity-secret-0123456789abcdef";
    private static final String TENANT = "t-e2e-cancel";

    private final List<Process> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void cancellingARunThroughRunServiceAbortsTheExecutorsHttpRequestAndAppliesNoResult() throws Exception {
        assertThat(EXECUTOR_JAR).as("the packaged executor (run with ./mvnw verify)").isRegularFile();
        Assumptions.assumeTrue(Files.isRegularFile(RUN_SERVICE_JAR),
                "run-service is not packaged: ./mvnw -pl run-service package -DskipTests (a root ./mvnw verify builds it first)");
        PostgresServer postgres = SharedInfrastructure.postgres();
        String kafka = SharedInfrastructure.kafka().bootstrapServers();
        String suffix = ProcessHandle.current().pid() + "_" + UUID.randomUUID().toString().substring(0, 6);
        String executorDb = "e2e_exec_" + suffix;
        String runDb = "e2e_run_" + suffix;
        postgres.ensureDatabase(executorDb);
        postgres.ensureDatabase(runDb);

        try (HoldingServer target = new HoldingServer()) {
            int executorPort = freePort();
            int runPort = freePort();
            launch("e2e-executor", EXECUTOR_JAR, executorPort, postgres, executorDb, kafka, List.of(
                    "-Dcapstan.executor.instance-id=e2e-exec",
                    "-Dcapstan.executor.consumer-group=e2e-" + suffix,
                    "-Dcapstan.executor.http.private-target-tenants=" + TENANT));
            launch("e2e-run-service", RUN_SERVICE_JAR, runPort, postgres, runDb, kafka, List.of(
                    "-Dcapstan.run.local-nodes.enabled=false"));
            awaitReady(executorPort, "/executor/info");
            awaitReady(runPort, "/q/health/ready");
            String base = "http://127.0.0.1:" + runPort;

            String workflowId = "held-call-" + suffix;
            post(base + "/v1/workflows", "{\"id\":\"" + workflowId + "\",\"name\":\"held call\",\"version\":\"1.0\","
                    + "\"nodes\":[{\"id\":\"call\",\"typeId\":\"core.http.request\",\"name\":\"call\",\"position\":{\"x\":0,\"y\":0},"
                    + "\"inputs\":{},\"config\":{\"method\":\"POST\",\"url\":\"" + target.url("/hold") + "\",\"body\":{\"order\":1},"
                    + "\"retry\":{\"maxRetries\":0}}}],\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}",
                    201);
            String runId = post(base + "/v1/runs", json.writeValueAsString(Map.of("workflowId", workflowId, "inputs", Map.of())), 201)
                    .path("runId").asText();
            Await.until(target::held, h -> !h.isEmpty(), "the executor's request to reach the target");

            post(base + "/v1/runs/" + runId + "/cancel", "{\"reason\":\"e2e\"}", 200);

            Await.until(() -> target.held().get(0).closedByClient(), closed -> closed,
                    "the target to see the executor close the cancelled request's connection");
            String recorded = Await.until(() -> recordedError(postgres, executorDb, runId + ":call:0"), e -> e != null,
                    "the executor to record the cancelled attempt");
            assertThat(recorded).isEqualTo("node_cancelled");
            assertThat(target.held()).hasSize(1);
            JsonNode run = get(base + "/v1/runs/" + runId);
            assertThat(run.path("status").asText()).isEqualTo("cancelled");
            List<String> types = new ArrayList<>();
            get(base + "/v1/runs/" + runId + "/events/poll?lastSequence=-1&timeout=0").path("events")
                    .forEach(e -> types.add(e.path("type").asText()));
            assertThat(types).contains("run.cancelled").doesNotContain("node.completed", "node.failed");
        }
    }

    private JsonNode post(String url, String body, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header(IdentityToken.HEADER, caller()).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", url, r.body()).isEqualTo(expected);
        return r.body().isBlank() ? json.createObjectNode() : json.readTree(r.body());
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header(IdentityToken.HEADER, caller()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private static String caller() {
        return GatewayIdentity.token(TENANT, "workspace:write", "manifest:read", "runs:create", "runs:read", "runs:cancel");
    }

    /** The error code the executor recorded for the invocation, or null while it has none. */
    private static String recordedError(PostgresServer postgres, String database, String invocationId) {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement q = c.prepareStatement(
                     "SELECT result -> 'error' ->> 'code' FROM invocation_log WHERE invocation_id = ? AND state = 'completed'")) {
            q.setString(1, invocationId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (java.sql.SQLException e) {
            return null;
        }
    }

    private void launch(String name, Path jar, int port, PostgresServer postgres, String database, String kafka,
                        List<String> settings) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(database),
                "-Dquarkus.datasource.reactive.url=" + postgres.reactiveUrl(database),
                "-Dquarkus.datasource.username=" + PostgresServer.USER,
                "-Dquarkus.datasource.password=" + PostgresServer.PASSWORD,
                "-Dkafka.bootstrap.servers=" + kafka));
        cmd.addAll(settings);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target", name + ".log").toFile());
        pb.environment().put("CAPSTAN_IDENTITY_SECRET", SECRET);
        pb.environment().put("CAPSTAN_INTERRUPT_TOKEN_SECRET", SECRET + "-interrupt-tokens");
        children.add(pb.start());
    }

    private void awaitReady(int port, String path) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            assertThat(children).allMatch(Process::isAlive, "alive (see target/e2e-*.log)");
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new AssertionError("service on port " + port + " not ready in 180 s (see target/e2e-*.log)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
