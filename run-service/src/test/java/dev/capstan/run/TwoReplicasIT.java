package dev.capstan.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.PostgresServer;
import dev.capstan.devstack.testing.SharedInfrastructure;
import dev.capstan.run.testing.TestExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two run-service replicas (the packaged jar, as separate processes) on one database and one Kafka, with nodes
 * executed through the real topics: runs created on either replica all complete with one clean log each (results
 * are applied by whichever replica owns the run's partition), a stream opened on one replica sees live what the
 * other commits, and stopping one replica mid-load loses no run.
 */
class TwoReplicasIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final String SECRET = "two-replicas-identity-secret-0123456789";
    private static final String TENANT = "t-replicas";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> replicas = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stopReplicas() {
        replicas.forEach(Process::destroyForcibly);
    }

    @Test
    void twoReplicasShareTheLoadAndLoseNoRunWhenOneStops() throws Exception {
        assertThat(JAR).as("the packaged run-service (run with ./mvnw verify)").isRegularFile();
        PostgresServer postgres = SharedInfrastructure.postgres();
        String database = "replicas_" + ProcessHandle.current().pid();
        postgres.ensureDatabase(database);
        String kafka = SharedInfrastructure.kafka().bootstrapServers();
        int portA = freePort();
        int portB = freePort();
        Process a = launch("a", portA, postgres, database, kafka);
        Process b = launch("b", portB, postgres, database, kafka);
        awaitReady(a, portA);
        awaitReady(b, portB);

        try (TestExecutor executor = new TestExecutor(kafka)) {
            send(portA, "POST", "/v1/workflows", chain("replicated", 3), 201);
            send(portA, "POST", "/v1/workflows", fixture("conformance-approval"), 201);

            // A stream on B of a run A drives: everything A commits reaches B's client live.
            String gated = (String) JSON.readValue(send(portA, "POST", "/v1/runs",
                    "{\"workflowId\":\"conformance-approval\",\"inputs\":{}}", 201), Map.class).get("runId");
            waitForStatus(portA, gated, "waiting-approval");
            CompletableFuture<List<String>> streamed = CompletableFuture.supplyAsync(() -> sseTypes(portB, gated));
            Thread.sleep(500);
            send(portA, "POST", "/v1/runs/" + gated + "/interrupts/gate", "{\"resumeValue\":{\"action\":\"accept\"}}", 200);
            assertThat(streamed.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .contains("interrupt.resolved").endsWith("run.completed");

            // A token minted on A is honoured by B, without any other credential: the replicas share the token secret.
            String byToken = (String) JSON.readValue(send(portA, "POST", "/v1/runs",
                    "{\"workflowId\":\"conformance-approval\",\"inputs\":{}}", 201), Map.class).get("runId");
            waitForStatus(portA, byToken, "waiting-approval");
            String token = (String) JSON.readValue(send(portA, "POST", "/v1/runs/" + byToken + "/interrupts/gate/tokens", "{}", 201),
                    Map.class).get("token");
            HttpResponse<String> resolved = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portB + "/v1/interrupts/"
                            + token)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"resumeValue\":{\"action\":\"accept\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
            waitForStatus(portA, byToken, "completed");

            // Runs created on both replicas; B stops while they are in flight.
            List<String> runIds = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 40; i++) {
                int port = i % 2 == 0 ? portA : portB;
                String created = send(port, "POST", "/v1/runs", "{\"workflowId\":\"replicated\",\"inputs\":{\"i\":" + i + "}}", 201);
                runIds.add((String) JSON.readValue(created, Map.class).get("runId"));
            }
            b.destroy();
            for (String runId : runIds) {
                List<Map<String, Object>> events = eventsUntilComplete(portA, runId);
                List<String> types = events.stream().map(e -> (String) e.get("type")).toList();
                assertThat(types).as("run %s", runId).endsWith("run.completed");
                assertThat(types.stream().filter("node.completed"::equals)).as("run %s", runId).hasSize(3);
                for (int i = 0; i < events.size(); i++) {
                    assertThat(((Number) events.get(i).get("sequence")).intValue()).isEqualTo(i);
                }
                assertThat(types.stream().filter(t -> t.startsWith("run.") && !t.equals("run.started"))).hasSize(1);
            }
            assertThat(executor.received().stream().map(d -> d.runId()).filter(runIds::contains).distinct()).hasSize(40);
        }
    }

    private Process launch(String name, int port, PostgresServer postgres, String database, String kafka) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(database),
                "-Dquarkus.datasource.reactive.url=" + postgres.reactiveUrl(database),
                "-Dquarkus.datasource.username=" + PostgresServer.USER,
                "-Dquarkus.datasource.password=" + PostgresServer.PASSWORD,
                "-Dkafka.bootstrap.servers=" + kafka,
                "-Dcapstan.run.local-nodes.enabled=false",
                "-Dcapstan.run.outbox-orphan-age=1s",
                "-Dcapstan.run.results-group=replicas-" + ProcessHandle.current().pid(),
                "-jar", JAR.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "replica-" + name + ".log").toFile());
        pb.environment().put("CAPSTAN_IDENTITY_SECRET", SECRET);
        pb.environment().put("CAPSTAN_INTERRUPT_TOKEN_SECRET", SECRET + "-interrupt-tokens");
        Process p = pb.start();
        replicas.add(p);
        return p;
    }

    private void awaitReady(Process p, int port) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            assertThat(p.isAlive()).as("replica exited during start-up; see target/replica-*.log").isTrue();
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new AssertionError("replica not ready in 120 s");
    }

    private String identity() {
        return new IdentityToken(SECRET).sign(new CallerIdentity(TENANT, "key:replicas", Set.of("workspace:write",
                "runs:create", "runs:read", "runs:cancel", "approvals:respond"), false, Instant.now().plusSeconds(600)));
    }

    private String send(int port, String method, String path, String body, int expected) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header(IdentityToken.HEADER, identity())
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(expected);
        return r.body();
    }

    private void waitForStatus(int port, String runId, String status) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/runs/" + runId))
                    .header(IdentityToken.HEADER, identity()).build(), HttpResponse.BodyHandlers.ofString());
            if (status.equals(JSON.readValue(r.body(), Map.class).get("status"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("run " + runId + " never reached " + status);
    }

    /** The event types of a run's SSE stream, read until the server closes it. */
    private List<String> sseTypes(int port, String runId) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/v1/runs/" + runId + "/events?streamMode=updates")).timeout(Duration.ofSeconds(30))
                    .header(IdentityToken.HEADER, identity()).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            List<String> types = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("event: ")) {
                        types.add(line.substring(7).trim());
                    }
                }
            }
            return types;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> eventsUntilComplete(int port, String runId) throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        long last = -1;
        for (int polls = 0; polls < 60; polls++) {
            String body = send(port, "GET", "/v1/runs/" + runId + "/events/poll?lastSequence=" + last + "&timeout=5", "", 200);
            Map<String, Object> page = JSON.readValue(body, Map.class);
            List<Map<String, Object>> batch = (List<Map<String, Object>>) page.get("events");
            events.addAll(batch);
            if (!batch.isEmpty()) {
                last = ((Number) batch.get(batch.size() - 1).get("sequence")).longValue();
            }
            if (Boolean.TRUE.equals(page.get("isComplete"))) {
                return events;
            }
        }
        throw new AssertionError("run " + runId + " did not finish; events: " + events);
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = TwoReplicasIT.class.getResourceAsStream("/fixtures/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String chain(String id, int length) {
        StringBuilder nodes = new StringBuilder();
        StringBuilder edges = new StringBuilder();
        for (int i = 0; i < length; i++) {
            nodes.append(i == 0 ? "" : ",").append("{\"id\":\"n").append(i).append("\",\"typeId\":\"core.noop\",\"name\":\"n")
                    .append(i).append("\",\"position\":{\"x\":0,\"y\":0},\"config\":{},\"inputs\":{}}");
            if (i > 0) {
                edges.append(i == 1 ? "" : ",").append("{\"id\":\"e").append(i).append("\",\"sourceNodeId\":\"n").append(i - 1)
                        .append("\",\"targetNodeId\":\"n").append(i).append("\"}");
            }
        }
        return "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"version\":\"1.0\",\"nodes\":[" + nodes + "],\"edges\":["
                + edges + "],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
