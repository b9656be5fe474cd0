package dev.capstan.gateway.support;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A plain local HTTP server standing in for the run-service's SSE endpoint: it sends the first event,
 * waits until the test says it has read it, then sends keep-alive comments until writing fails (the
 * gateway passed the client's disconnect on). It records the headers the gateway forwarded.
 */
public class StreamingUpstream implements QuarkusTestResourceLifecycleManager {

    public static final CountDownLatch FIRST_EVENT_READ = new CountDownLatch(1);
    public static final CountDownLatch DISCONNECT_SEEN = new CountDownLatch(1);
    public static final Map<String, String> RECEIVED_HEADERS = new ConcurrentHashMap<>();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/v1/runs/", exchange -> {
            exchange.getRequestHeaders().forEach((name, values) -> RECEIVED_HEADERS.put(name.toLowerCase(), values.get(0)));
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            try {
                body.write("id: 1\nevent: run.started\ndata: {\"sequence\":1}\n\n".getBytes(StandardCharsets.UTF_8));
                body.flush();
                // Nothing more until the client has the first event: a buffering gateway would never deliver it.
                FIRST_EVENT_READ.await(120, TimeUnit.SECONDS);
                for (int i = 0; i < 6000; i++) {
                    body.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    body.flush();
                    Thread.sleep(20);
                }
            } catch (IOException clientGone) {
                DISCONNECT_SEEN.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
        return Map.of("capstan.gateway.services.run", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
