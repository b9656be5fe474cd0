package dev.capstan.run.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on loopback for HTTP nodes: records every call (path, method, Idempotency-Key, body) and
 * answers {@code {"seen": path, "n": count}}; paths under {@code /slow} wait {@link #slowMs} first.
 */
public final class RecordingHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
    public volatile long slowMs;

    public RecordingHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            calls.add(Map.of("path", path, "method", exchange.getRequestMethod(),
                    "idempotencyKey", String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")), "body", body));
            if (path.startsWith("/slow")) {
                try {
                    Thread.sleep(slowMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] answer = ("{\"seen\":\"" + path + "\",\"n\":" + calls.size() + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Map<String, String>> calls() {
        return calls;
    }

    /** An OpenWOP definition: a chain of core.http.request nodes POSTing {@code {"node": id}} to {@code prefix + id}. */
    public String chain(String workflowId, List<String> ids, String prefix, Map<String, String> auth) {
        StringBuilder nodes = new StringBuilder();
        StringBuilder edges = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            nodes.append(i == 0 ? "" : ",").append("{\"id\":\"").append(id)
                    .append("\",\"typeId\":\"core.http.request\",\"name\":\"").append(id)
                    .append("\",\"position\":{\"x\":0,\"y\":0},\"inputs\":{},\"config\":{\"method\":\"POST\",\"url\":\"")
                    .append(baseUrl()).append(prefix).append(id).append("\",\"body\":{\"node\":\"").append(id).append("\"}")
                    .append(auth == null ? "" : ",\"auth\":{\"type\":\"" + auth.get("type") + "\",\"secretRef\":\"" + auth.get("secretRef") + "\"}")
                    .append("}}");
            if (i > 0) {
                edges.append(i == 1 ? "" : ",").append("{\"id\":\"e").append(i).append("\",\"sourceNodeId\":\"")
                        .append(ids.get(i - 1)).append("\",\"targetNodeId\":\"").append(id).append("\"}");
            }
        }
        return "{\"id\":\"" + workflowId + "\",\"name\":\"" + workflowId + "\",\"version\":\"1.0\",\"nodes\":[" + nodes
                + "],\"edges\":[" + edges + "],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
