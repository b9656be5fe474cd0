package dev.capstan.gateway.support;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for run-service that either hangs (never answers in time) or answers 200, and counts the
 * requests that reach it. The gateway's response timeout and circuit breaker are set small for it.
 */
public class FlakyUpstream implements QuarkusTestResourceLifecycleManager {

    public static final AtomicBoolean HANG = new AtomicBoolean(true);
    public static final AtomicInteger REQUESTS = new AtomicInteger();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            REQUESTS.incrementAndGet();
            try {
                if (HANG.get()) {
                    Thread.sleep(3_000);
                }
                byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException gatewayGaveUp) {
                // The gateway reset the request after its timeout.
            } finally {
                exchange.close();
            }
        });
        server.start();
        String closed = "http://127.0.0.1:1";
        return Map.of("capstan.gateway.services.run", "http://127.0.0.1:" + server.getAddress().getPort(),
                "capstan.gateway.services.webhook", closed,
                "capstan.gateway.services.registry", closed,
                "capstan.gateway.proxy.response-timeout", "300ms",
                "capstan.gateway.proxy.circuit-breaker.failure-threshold", "3",
                "capstan.gateway.proxy.circuit-breaker.open-for", "1s");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
