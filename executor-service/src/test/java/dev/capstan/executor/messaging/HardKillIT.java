package dev.capstan.executor.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.PostgresServer;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.SharedInfrastructure;
import dev.capstan.executor.KafkaHarness;
import dev.capstan.executor.LoopbackServer;
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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two packaged executors run as child processes in one consumer group; the one executing a side-effecting HTTP
 * node is killed with SIGKILL (no shutdown hook, no hand-back) while the target holds its request. The survivor
 * takes the record over after the group evicts the dead member, waits out the dead owner's lease, and repeats
 * the call with the same Idempotency-Key; the target, which honours the key, applies the effect once.
 */
class HardKillIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final String SECRET = "test-only-identity-secret-0123456789abcdef";

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNodeWhoseExecutorIsKilledMidCallIsRetriedBySurvivorAndTakesEffectOnce() throws Exception {
        assertThat(JAR).as("the packaged executor (run with ./mvnw verify)").isRegularFile();
        PostgresServer postgres = SharedInfrastructure.postgres();
        String database = "hardkill_" + ProcessHandle.current().pid();
        postgres.ensureDatabase(database);
        String kafka = SharedInfrastructure.kafka().bootstrapServers();
        String group = "hardkill-" + UUID.randomUUID().toString().substring(0, 8);

        // The target: the first request with a key applies the effect and then hangs (its answer is lost with the
        // killed executor); a repeat of the key answers the recorded result without applying it again.
        Map<String, AtomicInteger> requestsByKey = new ConcurrentHashMap<>();
        List<String> effects = new CopyOnWriteArrayList<>();
        CountDownLatch never = new CountDownLatch(1);
        try (LoopbackServer target = new LoopbackServer().route("/charge", ex -> {
            String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            int n = requestsByKey.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger()).incrementAndGet();
            if (n == 1) {
                effects.add(key);
                try {
                    never.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
                return;
            }
            LoopbackServer.respond(ex, 200, "application/json", "{\"charge\":\"ch_1\",\"replayed\":true}");
        })) {
            Process a = launch("exec-a", postgres, database, kafka, group);
            Process b = launch("exec-b", postgres, database, kafka, group);
            awaitReady(a);
            awaitReady(b);

            String runId = "hardkill-" + UUID.randomUUID();
            NodeDispatchMessage d = new NodeDispatchMessage(1, "t-kill", runId, "charge", "core.http.request", 1,
                    runId + ":charge:1", Map.of(), Map.of("method", "POST", "url", target.url("/charge"),
                    "body", Map.of("amount", 2000), "timeoutMs", 60_000, "retry", Map.of("maxRetries", 0)),
                    120_000L, Map.of(), System.currentTimeMillis());
            KafkaHarness harness = KafkaHarness.get();
            harness.send(d);

            Await.until(() -> requestsByKey.getOrDefault(d.invocationId(), new AtomicInteger()).get(), n -> n == 1,
                    "the first call to reach the target");
            String owner = owner(postgres, database, d.invocationId()).orElseThrow();
            Process victim = owner.equals("exec-a") ? a : b;
            String survivor = owner.equals("exec-a") ? "exec-b" : "exec-a";
            victim.destroyForcibly();
            assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();

            NodeResultMessage result = harness.awaitFinal(d.invocationId());
            assertThat(result.outcome()).isEqualTo("completed");
            assertThat(result.outputs()).containsEntry("status", 200);
            assertThat(result.outputs().get("body")).isEqualTo(Map.of("charge", "ch_1", "replayed", true));
            assertThat(requestsByKey.get(d.invocationId()).get()).isEqualTo(2);
            assertThat(effects).containsExactly(d.invocationId());

            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), PostgresServer.USER, PostgresServer.PASSWORD);
                 PreparedStatement q = c.prepareStatement(
                         "SELECT owner, executions, state FROM invocation_log WHERE invocation_id = ?")) {
                q.setString(1, d.invocationId());
                try (ResultSet rs = q.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("owner")).isEqualTo(survivor);
                    assertThat(rs.getInt("executions")).isEqualTo(2);
                    assertThat(rs.getString("state")).isEqualTo("completed");
                }
            }
            never.countDown();
        }
    }

    private Process launch(String id, PostgresServer postgres, String database, String kafka, String group) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Path.of("target", "hardkill-" + id + ".log");
        List<String> cmd = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + freePort(),
                "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(database),
                "-Dquarkus.datasource.reactive.url=" + postgres.reactiveUrl(database),
                "-Dquarkus.datasource.username=" + PostgresServer.USER,
                "-Dquarkus.datasource.password=" + PostgresServer.PASSWORD,
                "-Dkafka.bootstrap.servers=" + kafka,
                "-Dcapstan.executor.instance-id=" + id,
                "-Dcapstan.executor.consumer-group=" + group,
                "-Dcapstan.executor.lease-ms=3000",
                "-Dcapstan.executor.session-timeout-ms=6000",
                "-Dcapstan.executor.http.private-target-tenants=t-kill",
                "-jar", JAR.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CAPSTAN_IDENTITY_SECRET", SECRET);
        Process p = pb.start();
        children.add(p);
        return p;
    }

    private static void awaitReady(Process p) throws Exception {
        String port = p.info().arguments().map(args -> java.util.Arrays.stream(args)
                .filter(x -> x.startsWith("-Dquarkus.http.port=")).findFirst().orElseThrow().substring(20)).orElseThrow();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/executor/info")).build();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            assertThat(p.isAlive()).as("executor exited during start-up; see target/hardkill-*.log").isTrue();
            try {
                HttpResponse<String> r = client.send(ready, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new AssertionError("executor not ready in 120 s");
    }

    private static Optional<String> owner(PostgresServer postgres, String database, String invocationId) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement q = c.prepareStatement("SELECT owner FROM invocation_log WHERE invocation_id = ?")) {
            q.setString(1, invocationId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
