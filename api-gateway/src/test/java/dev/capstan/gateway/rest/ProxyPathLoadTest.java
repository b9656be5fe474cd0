package dev.capstan.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import dev.capstan.gateway.support.TwoTenants;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent requests with one key: after the first lookup none reads the database (the credential
 * cache answers), and Vert.x never reports a blocked event loop meanwhile.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class ProxyPathLoadTest {

    private static final int REQUESTS = 1_000;
    private static final int CONCURRENCY = 32;

    @TestHTTPResource("/")
    URL gateway;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "capstan.test.services", defaultValue = "not configured")
    String services;

    private double misses() {
        var counter = meters.find("capstan.gateway.credential.cache").tag("outcome", "miss").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void concurrentRequestsWithOneKeyCostNoDatabaseLookupAndNeverBlockAnEventLoop() throws Exception {
        Assumptions.assumeTrue("started".equals(services), "services " + services);
        String key = TwoTenants.keyA();
        String workflow = TwoTenants.workflow(key, "wf-load-" + UUID.randomUUID());
        List<String> blocked = new ArrayList<>();
        Handler watcher = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = String.valueOf(record.getMessage());
                if (message.contains("has been blocked")) {
                    synchronized (blocked) {
                        blocked.add(message);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger vertx = Logger.getLogger("io.vertx.core.impl");
        vertx.addHandler(watcher);
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + "v1/workflows/" + workflow))
                    .header("Authorization", "Bearer " + key).build();
            client.send(request, HttpResponse.BodyHandlers.discarding());
            double missesBefore = misses();

            Semaphore inFlight = new Semaphore(CONCURRENCY);
            ConcurrentHashMap<Integer, Integer> statuses = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> all = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                inFlight.acquire();
                all.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .whenComplete((response, failure) -> {
                            inFlight.release();
                            statuses.merge(failure == null ? response.statusCode() : -1, 1, Integer::sum);
                        }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            double seconds = (System.nanoTime() - started) / 1e9;
            org.jboss.logging.Logger.getLogger(ProxyPathLoadTest.class).logf(Level.INFO,
                    "%d requests through the gateway to run-service in %.2f s (%.0f/s, %d concurrent, shared machine)",
                    REQUESTS, seconds, REQUESTS / seconds, CONCURRENCY);

            assertThat(statuses).containsOnlyKeys(200).containsEntry(200, REQUESTS);
            // The cache may expire once or twice during the run (2 s TTL in tests); never a lookup per request.
            assertThat(misses() - missesBefore).isLessThanOrEqualTo(Math.ceil(seconds / 2) + 1);
        } finally {
            vertx.removeHandler(watcher);
        }
        assertThat(blocked).as("Vert.x blocked-thread warnings").isEmpty();
    }
}
