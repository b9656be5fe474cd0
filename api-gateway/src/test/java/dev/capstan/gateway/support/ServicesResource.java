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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the real run-service, webhook-service and registry-service as their own processes (the jars the
 * reactor built before this module), in parallel, each on a fresh database of the test's embedded
 * PostgreSQL and on its Kafka, with the test identity secret, and points the gateway at them.
 */
public class ServicesResource implements QuarkusTestResourceLifecycleManager {

    public static final String IDENTITY_SECRET = "test-only-identity-secret-0123456789abcdef";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final AtomicInteger STARTS = new AtomicInteger();

    /** A service the gateway forwards to: its module and the gateway setting that names its URL. */
    private record Service(String module, String gatewayKey, List<String> settings) {
        Path jar() {
            return Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar");
        }
    }

    private static final List<Service> SERVICES = List.of(
            // No executor runs in these tests; with local nodes off every node waits for one, so a run stays
            // running until the test cancels it (the isolation and SSE tests need a run that has not ended).
            new Service("run-service", "capstan.gateway.services.run", List.of("-Dcapstan.run.local-nodes.enabled=false")),
            new Service("webhook-service", "capstan.gateway.services.webhook", List.of()),
            new Service("registry-service", "capstan.gateway.services.registry", List.of()));

    private final List<Process> processes = new ArrayList<>();
    private final Map<String, String> databases = new HashMap<>();

    @Override
    public Map<String, String> start() {
        List<String> missing = SERVICES.stream().filter(s -> !Files.isRegularFile(s.jar())).map(Service::module).toList();
        if (!missing.isEmpty()) {
            // Built alone (./mvnw -pl api-gateway): the through-the-gateway tests are skipped with this reason.
            String closed = "http://127.0.0.1:" + freePort();
            Map<String, String> config = new HashMap<>();
            config.put("capstan.test.services", "missing " + missing
                    + ": build them with ./mvnw -q -pl run-service,webhook-service,registry-service -am install -DskipTests");
            SERVICES.forEach(s -> config.put(s.gatewayKey(), closed));
            return config;
        }
        try {
            PostgresServer postgres = SharedInfrastructure.postgres();
            String kafka = SharedInfrastructure.kafka().bootstrapServers();
            int start = STARTS.incrementAndGet();
            List<CompletableFuture<Map.Entry<String, String>>> started = new ArrayList<>();
            for (Service service : SERVICES) {
                String database = "gw_" + service.module().replace("-service", "") + "_" + ProcessHandle.current().pid() + "_" + start;
                postgres.ensureDatabase(database);
                int port = freePort();
                Path log = Path.of("target", service.module() + "-under-gateway-test.log");
                Process process = launch(service, postgres, database, kafka, port, log);
                synchronized (processes) {
                    processes.add(process);
                }
                started.add(CompletableFuture.supplyAsync(() -> {
                    awaitReady(service, process, port, log);
                    return Map.entry(service.gatewayKey(), "http://localhost:" + port);
                }));
                databases.put(service.module(), postgres.jdbcUrl(database));
            }
            Map<String, String> config = new HashMap<>();
            config.put("capstan.test.services", "started");
            // Tests seed what no public route can create yet (registry packs) straight into the service's database.
            config.put("capstan.test.registry-jdbc-url", databases.get("registry-service"));
            for (var future : started) {
                var entry = future.get();
                config.put(entry.getKey(), entry.getValue());
            }
            return config;
        } catch (ExecutionException e) {
            stop();
            throw new IllegalStateException("A service did not start for the gateway tests", e.getCause());
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("The services did not start for the gateway tests", e);
        }
    }

    private static Process launch(Service service, PostgresServer postgres, String database, String kafka, int port, Path log)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(database),
                "-Dquarkus.datasource.reactive.url=" + postgres.reactiveUrl(database),
                "-Dquarkus.datasource.username=" + PostgresServer.USER,
                "-Dquarkus.datasource.password=" + PostgresServer.PASSWORD,
                "-Dkafka.bootstrap.servers=" + kafka,
                "-Dcapstan.identity.secret=" + IDENTITY_SECRET));
        command.addAll(service.settings());
        command.addAll(List.of("-jar", service.jar().toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("CAPSTAN_IDENTITY_SECRET", IDENTITY_SECRET);
        builder.environment().put("CAPSTAN_INTERRUPT_TOKEN_SECRET", "test-only-interrupt-token-secret-for-the-gateway-tests");
        return builder.start();
    }

    private static void awaitReady(Service service, Process process, int port, Path log) {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(service.module() + " exited during start-up; see " + log.toAbsolutePath());
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException(service.module() + " was not ready in " + READY_TIMEOUT + "; see " + log.toAbsolutePath());
    }

    @Override
    public void stop() {
        synchronized (processes) {
            processes.forEach(Process::destroy);
            for (Process process : processes) {
                try {
                    if (!process.waitFor(20, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }
            processes.clear();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port", e);
        }
    }
}
