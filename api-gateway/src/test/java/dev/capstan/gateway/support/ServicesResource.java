package dev.capstan.gateway.support;

import dev.capstan.devstack.PostgresServer;
import dev.capstan.devstack.testing.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the real run-service as its own process (the jar the reactor built before this module) on the
 * test's embedded PostgreSQL and Kafka, with the test identity secret, and points the gateway at it.
 * Webhook and registry paths are pointed at a closed port, so forwarding to them shows the 502 envelope.
 */
public class RunServiceResource implements QuarkusTestResourceLifecycleManager {

    public static final String IDENTITY_SECRET = "test-only-identity-secret-0123456789abcdef";
    static final Path JAR = Path.of("../run-service/target/quarkus-app/quarkus-run.jar");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private Process process;

    @Override
    public Map<String, String> start() {
        String closed = "http://127.0.0.1:" + freePort();
        if (!Files.isRegularFile(JAR)) {
            // Built alone (./mvnw -pl api-gateway): the through-the-gateway tests are skipped with this reason.
            return Map.of("capstan.test.run-service", "missing: build it with ./mvnw -pl run-service package -DskipTests",
                    "capstan.gateway.services.run", closed, "capstan.gateway.services.webhook", closed,
                    "capstan.gateway.services.registry", closed);
        }
        try {
            PostgresServer postgres = SharedInfrastructure.postgres();
            String database = "gw_run_" + ProcessHandle.current().pid();
            postgres.ensureDatabase(database);
            String kafka = SharedInfrastructure.kafka().bootstrapServers();
            int port = freePort();
            Path log = Path.of("target", "run-service-under-gateway-test.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(database),
                    "-Dquarkus.datasource.reactive.url=" + postgres.reactiveUrl(database),
                    "-Dquarkus.datasource.username=" + PostgresServer.USER,
                    "-Dquarkus.datasource.password=" + PostgresServer.PASSWORD,
                    "-Dkafka.bootstrap.servers=" + kafka,
                    "-Dcapstan.identity.secret=" + IDENTITY_SECRET,
                    "-jar", JAR.toAbsolutePath().toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("CAPSTAN_IDENTITY_SECRET", IDENTITY_SECRET);
            process = builder.start();
            awaitReady(port, log);
            return Map.of("capstan.test.run-service", "started",
                    "capstan.gateway.services.run", "http://localhost:" + port,
                    "capstan.gateway.services.webhook", closed,
                    "capstan.gateway.services.registry", closed);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("run-service did not start for the gateway tests", e);
        }
    }

    private void awaitReady(int port, Path log) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("run-service exited during start-up; see " + log.toAbsolutePath());
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("run-service was not ready in " + READY_TIMEOUT + "; see " + log.toAbsolutePath());
    }

    @Override
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port", e);
        }
    }
}
