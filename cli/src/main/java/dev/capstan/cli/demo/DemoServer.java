package dev.capstan.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny order API on loopback for the bundled demo workflow: {@code GET /health}, {@code POST /orders},
 * {@code POST /orders/{id}/pay}, {@code GET /orders/{id}}, {@code POST /notify}. Orders live in memory.
 */
public final class DemoServer implements AutoCloseable {

    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Map<String, Object>> orders = new ConcurrentHashMap<>();
    private final AtomicInteger nextOrder = new AtomicInteger(1000);
    private final AtomicInteger notifications = new AtomicInteger();

    private DemoServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on 127.0.0.1; port 0 picks a free one. */
    public static DemoServer start(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        DemoServer demo = new DemoServer(s);
        s.createContext("/", demo::handle);
        s.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-server");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return demo;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int notificationsSent() {
        return notifications.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            String[] parts = path.replaceAll("^/+|/+$", "").split("/");
            if (method.equals("GET") && path.equals("/health")) {
                send(ex, 200, obj("status", "ok", "service", "capstan-demo"));
            } else if (method.equals("POST") && path.equals("/orders")) {
                Map<String, Object> body = readBody(ex);
                String id = "ord_" + nextOrder.incrementAndGet();
                Map<String, Object> order = new LinkedHashMap<>();
                order.put("id", id);
                order.put("item", body.getOrDefault("item", "unknown"));
                order.put("quantity", body.getOrDefault("quantity", 1));
                order.put("status", "created");
                orders.put(id, order);
                send(ex, 201, order);
            } else if (method.equals("POST") && parts.length == 3 && parts[0].equals("orders") && parts[2].equals("pay")) {
                Map<String, Object> order = orders.get(parts[1]);
                if (order == null) {
                    send(ex, 404, obj("error", "no such order", "id", parts[1]));
                } else {
                    order.put("status", "paid");
                    send(ex, 200, order);
                }
            } else if (method.equals("GET") && parts.length == 2 && parts[0].equals("orders")) {
                Map<String, Object> order = orders.get(parts[1]);
                send(ex, order == null ? 404 : 200, order == null ? obj("error", "no such order", "id", parts[1]) : order);
            } else if (method.equals("POST") && path.equals("/notify")) {
                readBody(ex);
                send(ex, 202, obj("delivered", true, "notification", notifications.incrementAndGet()));
            } else {
                send(ex, 404, obj("error", "not found", "path", path));
            }
        }
    }

    /** JSON objects keep their field order, so responses (and the logs that quote them) are the same every run. */
    private static Map<String, Object> obj(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put(String.valueOf(pairs[i]), pairs[i + 1]);
        }
        return m;
    }

    private Map<String, Object> readBody(HttpExchange ex) throws IOException {
        byte[] bytes = ex.getRequestBody().readAllBytes();
        if (bytes.length == 0) {
            return Map.of();
        }
        try {
            Object v = json.readValue(bytes, Object.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> m = v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
            return m;
        } catch (IOException notJson) {
            return Map.of();
        }
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
