package dev.capstan.cli.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the gateway on loopback, speaking run-service's shapes: {@code POST /v1/workflows},
 * {@code POST /v1/runs}, the SSE stream {@code GET /v1/runs/{id}/events} ({@code id:}/{@code event:}/{@code data:}
 * frames), {@code POST .../interrupts/{nodeId}} and {@code POST .../cancel}. The stream plays a script: events,
 * and pauses that wait for the client to answer an interrupt or cancel.
 */
public final class FakePlatform implements AutoCloseable {

    public static final String RUN_ID = "run-remote-1";

    /** One step of the stream script. */
    public sealed interface Step permits Emit, AwaitPost {
    }

    /** Sends these events (as one SSE batch frame when more than one). */
    public record Emit(List<Map<String, Object>> events) implements Step {
    }

    /** Waits until the client POSTs to a path ending with {@code suffix}. */
    public record AwaitPost(String suffix) implements Step {
    }

    public record Call(String method, String path, String contentType, String authorization, String body) {
    }

    private final HttpServer server;
    private final String apiKey;
    private final List<Step> script;
    private final ObjectMapper json = new ObjectMapper();
    private final BlockingQueue<String> posts = new LinkedBlockingQueue<>();
    public final List<Call> calls = new CopyOnWriteArrayList<>();
    private long sequence;

    public FakePlatform(String apiKey, List<Step> script) throws IOException {
        this.apiKey = apiKey;
        this.script = script;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public Call call(String method, String pathSuffix) {
        return calls.stream().filter(c -> c.method().equals(method) && c.path().endsWith(pathSuffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + method + " ..." + pathSuffix + " in " + calls));
    }

    /** An event document as run-service streams it; sequences count up from 0. */
    public Map<String, Object> event(String type, String nodeId, Map<String, Object> payload) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("eventId", "ev-" + sequence);
        e.put("runId", RUN_ID);
        if (nodeId != null) {
            e.put("nodeId", nodeId);
        }
        e.put("type", type);
        e.put("payload", payload);
        e.put("timestamp", java.time.Instant.parse("2026-01-01T00:00:00Z").plusMillis(sequence * 10).toString());
        e.put("sequence", sequence++);
        return e;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            calls.add(new Call(method, path, ex.getRequestHeaders().getFirst("Content-Type"), auth, body));
            if (!("Bearer " + apiKey).equals(auth)) {
                send(ex, 401, Map.of("error", "unauthenticated", "message", "The API key is not valid."));
                return;
            }
            if (method.equals("POST") && path.equals("/v1/workflows")) {
                send(ex, 201, Map.of("workflowId", "wf-from-platform", "version", 3));
            } else if (method.equals("POST") && path.equals("/v1/runs")) {
                send(ex, 201, Map.of("runId", RUN_ID, "status", "pending"));
            } else if (method.equals("GET") && path.equals("/v1/runs/" + RUN_ID + "/events")) {
                stream(ex);
            } else if (method.equals("POST") && path.startsWith("/v1/runs/" + RUN_ID + "/")) {
                posts.add(path);
                send(ex, 200, Map.of("runId", RUN_ID, "status", "running"));
            } else {
                send(ex, 404, Map.of("error", "not_found", "message", "No route " + method + " " + path));
            }
        }
    }

    private void stream(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        out.write(":ok\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        for (Step step : script) {
            if (step instanceof Emit e) {
                List<Map<String, Object>> events = new ArrayList<>(e.events());
                Map<String, Object> last = events.get(events.size() - 1);
                String frame = events.size() == 1
                        ? "id: " + last.get("sequence") + "\nevent: " + last.get("type") + "\ndata: " + json.writeValueAsString(last) + "\n\n"
                        : "id: " + last.get("sequence") + "\nevent: batch\ndata: " + json.writeValueAsString(events) + "\n\n";
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } else if (step instanceof AwaitPost a) {
                try {
                    String posted;
                    do {
                        posted = posts.poll(20, TimeUnit.SECONDS);
                        if (posted == null) {
                            throw new IOException("the client never posted ..." + a.suffix());
                        }
                    } while (!posted.endsWith(a.suffix()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        out.close();
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
