import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform benchmark: a 3-node HTTP workflow (three core.http.request nodes calling a loopback target
 * server this program runs) through the gateway of a running platform (./capstan up). A run counts as done when
 * its SSE stream (GET /v1/runs/{id}/events) delivers run.completed and closes.
 *
 *   java bench/platform/PlatformLoad.java [sequentialRuns] [concurrency] [seconds] [rounds]
 *
 * It creates (once) the tenant "bench" with a rate limit above the offered load and a key for it through the
 * admin API (credentials from .capstan/secrets), registers the workflow "http3", then per round measures
 * sequential latency (one client, one run at a time) and throughput (N clients, closed loop) and prints each
 * round and the medians. JDK only: no build needed.
 */
public class PlatformLoad {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    static String gateway;
    static String apiKey;
    static volatile String lastRunId;

    public static void main(String[] args) throws Exception {
        int sequentialRuns = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Properties secrets = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(".capstan/secrets"))) {
            secrets.load(in);
        }
        gateway = System.getenv().getOrDefault("CAPSTAN_URL", "http://localhost:8080");
        String admin = secrets.getProperty("CAPSTAN_ADMIN_TOKEN");

        // Without it the JDK server writes headers and body as two segments and Nagle holds the second one until the
        // client's delayed ACK (~40 ms): a benchmark of the target, not of the platform.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        target.setExecutor(Executors.newFixedThreadPool(4));
        AtomicLong targetCalls = new AtomicLong();
        target.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"ok\":true,\"n\":" + targetCalls.incrementAndGet() + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        target.start();
        String targetUrl = "http://127.0.0.1:" + target.getAddress().getPort();

        setUp(admin, targetUrl);
        System.out.printf("gateway %s, target %s, %d sequential runs, %d clients for %d s, %d rounds%n",
                gateway, targetUrl, sequentialRuns, concurrency, seconds, rounds);
        for (int i = 0; i < 50; i++) {
            runOnce();
        }
        if (seconds > 0) {
            closedLoop(concurrency, 5); // warm-up
        }
        List<Double> p50s = new ArrayList<>();
        List<Double> throughputs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Long> lat = new ArrayList<>();
            for (int i = 0; i < sequentialRuns; i++) {
                lat.add(runOnce());
            }
            System.out.println("  timeline of the last sequential run: " + timeline(lastRunId));
            Collections.sort(lat);
            double p50 = lat.get(lat.size() / 2) / 1e6;
            double p90 = lat.get((int) (lat.size() * 0.9)) / 1e6;
            double p99 = lat.get((int) (lat.size() * 0.99)) / 1e6;
            double throughput = seconds > 0 ? closedLoop(concurrency, seconds) : 0;
            p50s.add(p50);
            throughputs.add(throughput);
            System.out.printf("round %d: sequential p50 %.2f ms p90 %.2f ms p99 %.2f ms | %d clients: %.0f completed runs/s%n",
                    round, p50, p90, p99, concurrency, throughput);
        }
        Collections.sort(p50s);
        Collections.sort(throughputs);
        System.out.printf("median of %d rounds: sequential p50 %.2f ms, throughput %.0f completed runs/s (target calls %d)%n",
                rounds, p50s.get(p50s.size() / 2), throughputs.get(throughputs.size() / 2), targetCalls.get());
        target.stop(0);
        System.exit(0);
    }

    /** Creates the bench tenant and key (the key is kept in .capstan/bench-key) and registers the workflow. */
    static void setUp(String admin, String targetUrl) throws Exception {
        Path keyFile = Path.of(".capstan/bench-key");
        send("POST", "/admin/v1/tenants", admin,
                "{\"id\":\"bench\",\"name\":\"bench\",\"rateLimit\":{\"capacity\":100000,\"refillPerSecond\":100000}}");
        send("PATCH", "/admin/v1/tenants/bench", admin, "{\"rateLimit\":{\"capacity\":100000,\"refillPerSecond\":100000}}");
        if (Files.exists(keyFile)) {
            apiKey = Files.readString(keyFile).trim();
        } else {
            String issued = send("POST", "/admin/v1/keys", admin,
                    "{\"tenant\":\"bench\",\"scopes\":[\"runs:create\",\"runs:read\",\"runs:cancel\",\"manifest:read\",\"workspace:write\"],\"name\":\"bench\"}");
            Matcher m = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"").matcher(issued);
            if (!m.find()) {
                throw new IllegalStateException("No key in " + issued);
            }
            apiKey = m.group(1);
            Files.writeString(keyFile, apiKey);
        }
        StringBuilder nodes = new StringBuilder();
        for (String id : List.of("a", "b", "c")) {
            if (nodes.length() > 0) {
                nodes.append(',');
            }
            nodes.append("{\"id\":\"").append(id).append("\",\"typeId\":\"core.http.request\",\"name\":\"").append(id)
                    .append("\",\"position\":{\"x\":0,\"y\":0},\"inputs\":{},\"config\":{\"method\":\"POST\",\"url\":\"")
                    .append(targetUrl).append("/step/").append(id).append("\",\"body\":{\"node\":\"").append(id).append("\"}}}");
        }
        String definition = "{\"id\":\"http3\",\"name\":\"Three HTTP calls\",\"version\":\"1.0\",\"nodes\":[" + nodes
                + "],\"edges\":[{\"id\":\"ab\",\"sourceNodeId\":\"a\",\"targetNodeId\":\"b\"},"
                + "{\"id\":\"bc\",\"sourceNodeId\":\"b\",\"targetNodeId\":\"c\"}],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}";
        String existing = send("GET", "/v1/workflows/http3", apiKey, null);
        // The target's port changes per invocation: a new version of the workflow points at this one.
        if (existing.startsWith("404")) {
            expectOk(send("POST", "/v1/workflows", apiKey, definition));
        } else {
            expectOk(send("PUT", "/v1/workflows/http3", apiKey, definition));
        }
    }

    static void expectOk(String response) {
        if (!response.startsWith("2")) {
            throw new IllegalStateException("Setting up failed: " + response);
        }
    }

    /** Returns "STATUS BODY". */
    static String send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    /** Milliseconds from run.started to each event of a run, from its log. */
    static String timeline(String runId) throws Exception {
        String page = send("GET", "/v1/runs/" + runId + "/events/poll?lastSequence=-1", apiKey, null);
        // Event documents list type before timestamp; payloads hold neither key at the top level of an event.
        Matcher types = Pattern.compile("\"runId\":\"[^\"]+\",(?:\"nodeId\":\"[^\"]+\",)?\"type\":\"([^\"]+)\"").matcher(page);
        Matcher times = Pattern.compile("\"timestamp\":\"[^\"]*T(\\d+):(\\d+):([\\d.]+)Z\"").matcher(page);
        StringBuilder out = new StringBuilder();
        double first = -1;
        while (types.find() && times.find()) {
            double t = Integer.parseInt(times.group(1)) * 3600 + Integer.parseInt(times.group(2)) * 60 + Double.parseDouble(times.group(3));
            if (first < 0) {
                first = t;
            }
            out.append(String.format("%s +%.1f ", types.group(1), (t - first) * 1000));
        }
        return out.toString();
    }

    /** One run, start to run.completed; returns nanoseconds. */
    static long runOnce() throws Exception {
        return runAsync().get();
    }

    static CompletableFuture<Long> runAsync() {
        long t0 = System.nanoTime();
        HttpRequest create = HttpRequest.newBuilder(URI.create(gateway + "/v1/runs")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"workflowId\":\"http3\",\"inputs\":{}}")).build();
        return HTTP.sendAsync(create, HttpResponse.BodyHandlers.ofString()).thenCompose(r -> {
            if (r.statusCode() != 201 && r.statusCode() != 200) {
                throw new IllegalStateException("create: " + r.statusCode() + " " + r.body());
            }
            Matcher m = Pattern.compile("\"runId\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
            if (!m.find()) {
                throw new IllegalStateException("no runId in " + r.body());
            }
            lastRunId = m.group(1);
            HttpRequest events = HttpRequest.newBuilder(URI.create(gateway + "/v1/runs/" + m.group(1) + "/events?streamMode=updates"))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + apiKey)
                    .header("Accept", "text/event-stream").GET().build();
            return HTTP.sendAsync(events, HttpResponse.BodyHandlers.ofString());
        }).thenApply(r -> {
            if (!r.body().contains("run.completed")) {
                throw new IllegalStateException("run did not complete: " + r.body());
            }
            return System.nanoTime() - t0;
        });
    }

    /** N clients, each starting its next run when the last completes, for the given time; completed runs per second. */
    static double closedLoop(int clients, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            next(end, completed, failed, done);
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (failed.get() > 0) {
            System.out.printf("  %d runs failed%n", failed.get());
        }
        return completed.get() / elapsed;
    }

    static void next(long end, AtomicInteger completed, AtomicInteger failed, CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete(null);
            return;
        }
        runAsync().whenComplete((ns, error) -> {
            if (error != null) {
                if (failed.incrementAndGet() <= 3) {
                    System.out.println("  failure: " + error.getMessage());
                }
            } else {
                completed.incrementAndGet();
            }
            next(end, completed, failed, done);
        });
    }
}
