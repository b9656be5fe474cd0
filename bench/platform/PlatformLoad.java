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
 *   java bench/platform/PlatformLoad.java [sequentialRuns] [concurrency] [seconds] [rounds] [warmupSeconds]
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
        // The services' JIT compilers need load for a while before they reach steady state.
        int warmupSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 45;
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
        try (LeanConnection warm = new LeanConnection()) {
            for (int i = 0; i < 50; i++) {
                warm.run();
            }
        }
        if (seconds > 0) {
            System.out.printf("warm-up: %.0f completed runs/s%n", closedLoop(concurrency, warmupSeconds));
        }
        List<Double> p50s = new ArrayList<>();
        List<Double> throughputs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Long> lat = new ArrayList<>();
            try (LeanConnection sequential = new LeanConnection()) {
                for (int i = 0; i < sequentialRuns; i++) {
                    lat.add(sequential.run());
                }
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
        System.out.printf("this load generator and target used %.1f s of CPU%n",
                ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(-1.0));
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
        try (LeanConnection c = new LeanConnection()) {
            return c.run();
        }
    }

    /**
     * N clients, each on its own keep-alive connection starting its next run when the last completes, for the given
     * time; completed runs per second. Plain blocking sockets: the JDK's HttpClient costs the machine more CPU than
     * the platform spends on a run, which would measure the load generator instead.
     */
    static double closedLoop(int clients, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                LeanConnection c = null;
                while (System.nanoTime() < end) {
                    try {
                        if (c == null) {
                            c = new LeanConnection();
                        }
                        c.run();
                        completed.incrementAndGet();
                    } catch (Exception e) {
                        if (failed.incrementAndGet() <= 3) {
                            System.out.println("  failure: " + e.getMessage());
                        }
                        if (c != null) {
                            c.close();
                        }
                        c = null;
                    }
                }
                if (c != null) {
                    c.close();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (failed.get() > 0) {
            System.out.printf("  %d runs failed%n", failed.get());
        }
        return completed.get() / elapsed;
    }

    /** A keep-alive HTTP/1.1 connection to the gateway that creates a run and follows its event stream to the end. */
    static final class LeanConnection implements AutoCloseable {
        private static final Pattern RUN_ID = Pattern.compile("\"runId\"\\s*:\\s*\"([^\"]+)\"");
        private final java.net.Socket socket;
        private final java.io.BufferedInputStream in;
        private final java.io.OutputStream out;
        private final String host;

        LeanConnection() throws IOException {
            URI uri = URI.create(gateway);
            host = uri.getHost() + ":" + uri.getPort();
            socket = new java.net.Socket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 16384);
            out = socket.getOutputStream();
        }

        long run() throws IOException {
            long t0 = System.nanoTime();
            byte[] body = "{\"workflowId\":\"http3\",\"inputs\":{}}".getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/runs HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + apiKey
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String created = readResponse();
            Matcher m = RUN_ID.matcher(created);
            if (!created.startsWith("201") || !m.find()) {
                throw new IOException("create: " + created);
            }
            lastRunId = m.group(1);
            out.write(("GET /v1/runs/" + lastRunId + "/events?streamMode=updates HTTP/1.1\r\nHost: " + host
                    + "\r\nAuthorization: Bearer " + apiKey + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String events = readResponse();
            if (!events.contains("run.completed")) {
                throw new IOException("run did not complete: " + events);
            }
            return System.nanoTime() - t0;
        }

        /** Reads one response (Content-Length or chunked); returns "STATUS BODY". */
        private String readResponse() throws IOException {
            String status = line();
            int contentLength = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    contentLength = Integer.parseInt(value);
                } else if (name.equals("transfer-encoding") && value.contains("chunked")) {
                    chunked = true;
                }
            }
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                     size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
                line();
            } else if (contentLength >= 0) {
                body.write(in.readNBytes(contentLength));
            }
            return status.substring(9, 12) + " " + body.toString(StandardCharsets.UTF_8);
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
