package dev.capstan.cli.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.cli.CliFailure;
import dev.capstan.cli.workflow.WorkflowFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Runs a workflow on the platform: registers the definition ({@code POST /v1/workflows}, OSOP as
 * {@code application/yaml}), creates the run ({@code POST /v1/runs}), follows {@code GET /v1/runs/{id}/events}
 * (SSE, resuming with {@code Last-Event-ID} if the stream drops), answers interrupts with
 * {@code POST /v1/runs/{id}/interrupts/{nodeId}} and cancels with {@code POST /v1/runs/{id}/cancel}.
 */
public final class RemoteRun implements Runner {

    private static final int MAX_RECONNECTS = 5;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() { };

    private final WorkflowFile workflow;
    private final RunSettings settings;
    private final RunLog log;
    private final ProgressPrinter progress;
    private final HumanGate gate;
    private final PrintWriter out;
    private final PlatformConfig platform;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    private volatile String runId;
    private volatile boolean cancelRequested;

    public RemoteRun(WorkflowFile workflow, RunSettings settings, RunLog log, ProgressPrinter progress, HumanGate gate,
                     PrintWriter out, PlatformConfig platform) {
        this.workflow = workflow;
        this.settings = settings;
        this.log = log;
        this.progress = progress;
        this.gate = gate;
        this.out = out;
        this.platform = platform;
    }

    @Override
    public void run() {
        Map<String, Object> registered = call("POST", "/v1/workflows", workflow.text(),
                workflow.osop() ? "application/yaml" : "application/json", null);
        String workflowId = String.valueOf(registered.get("workflowId"));
        out.println("Registered workflow " + workflowId + " (version " + registered.get("version") + ") on " + platform.url());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workflowId", workflowId);
        body.put("inputs", settings.inputs());
        Map<String, Object> configurable = new LinkedHashMap<>();
        if (settings.maxCostUsd() != null) {
            configurable.put("budgetUsd", settings.maxCostUsd());
        }
        if (settings.timeoutSeconds() != null) {
            configurable.put("runTimeoutMs", settings.timeoutSeconds() * 1000);
        }
        body.put("configurable", configurable);
        body.put("metadata", Map.of("source", "capstan-cli"));
        Map<String, Object> created = call("POST", "/v1/runs", write(body), "application/json", UUID.randomUUID().toString());
        runId = String.valueOf(created.get("runId"));
        if (cancelRequested) {
            cancel("cancelled before it started");
        }
        ExecutorService prompts = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "capstan-prompt");
            t.setDaemon(true);
            return t;
        });
        try {
            follow(prompts);
        } finally {
            prompts.shutdownNow();
        }
    }

    @Override
    public void cancel(String reason) {
        cancelRequested = true;
        String id = runId;
        if (id == null) {
            return;
        }
        try {
            call("POST", "/v1/runs/" + id + "/cancel", write(Map.of("reason", reason)), "application/json", null);
        } catch (CliFailure alreadyOver) {
            // The run may have ended meanwhile; the stream tells.
            out.println("capstan: " + alreadyOver.getMessage());
        }
    }

    /** Reads the event stream until a terminal event, reconnecting from the last event seen. */
    private void follow(ExecutorService prompts) {
        long lastSequence = -1;
        for (int attempt = 0; attempt <= MAX_RECONNECTS; attempt++) {
            // debug: every event, node.started and node.cancelled included (the default "updates" leaves them out).
            HttpRequest.Builder b = request("/v1/runs/" + runId + "/events?streamMode=debug")
                    .header("Accept", "text/event-stream").GET();
            if (lastSequence >= 0) {
                b.header("Last-Event-ID", Long.toString(lastSequence));
            }
            HttpResponse<Stream<String>> response;
            try {
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
            } catch (IOException e) {
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliFailure.failed("interrupted while following run " + runId);
            }
            if (response.statusCode() != 200) {
                response.body().close();
                throw CliFailure.failed("the platform refused the event stream of run " + runId + " (HTTP "
                        + response.statusCode() + ")");
            }
            StringBuilder data = new StringBuilder();
            try (Stream<String> lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    } else if (line.isEmpty() && !data.isEmpty()) {
                        for (Map<String, Object> event : events(data.toString())) {
                            if (event.get("sequence") instanceof Number n) {
                                lastSequence = Math.max(lastSequence, n.longValue());
                            }
                            if (handle(event, prompts)) {
                                return;
                            }
                        }
                        data.setLength(0);
                    }
                }
            } catch (java.io.UncheckedIOException dropped) {
                // The connection dropped mid-stream: reconnect from the last event.
            }
        }
        throw CliFailure.failed("lost the event stream of run " + runId + "; see GET " + platform.url() + "/v1/runs/" + runId);
    }

    /** Records one event; true when the run has ended. */
    private boolean handle(Map<String, Object> event, ExecutorService prompts) {
        log.onEvent(event);
        progress.onEvent(event);
        String type = String.valueOf(event.get("type"));
        if (type.equals("interrupt.requested")) {
            String nodeId = String.valueOf(event.get("nodeId"));
            Map<String, Object> p = RunLog.map(event.get("payload"));
            prompts.submit(() -> answer(nodeId, String.valueOf(p.get("kind")), RunLog.map(p.get("data"))));
        }
        return type.equals("run.completed") || type.equals("run.failed") || type.equals("run.cancelled");
    }

    private void answer(String nodeId, String kind, Map<String, Object> data) {
        Optional<HumanGate.Answer> a = gate.answer(nodeId, kind, data);
        if (a.isEmpty()) {
            String why = "node '" + nodeId + "' needs a person (" + kind + ") and there is no terminal: rerun with --approve";
            out.println("capstan: " + why);
            out.flush();
            cancel(why);
            return;
        }
        try {
            call("POST", "/v1/runs/" + runId + "/interrupts/" + nodeId,
                    write(Map.of("resumeValue", a.get().resumeValue())), "application/json", null);
        } catch (CliFailure f) {
            out.println("capstan: the answer for node " + nodeId + " was not accepted: " + f.getMessage());
            out.flush();
        }
    }

    private List<Map<String, Object>> events(String data) {
        try {
            if (data.startsWith("[")) {
                return json.readValue(data, LIST);
            }
            return List.of(json.readValue(data, MAP));
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    private Map<String, Object> call(String method, String path, String body, String contentType, String idempotencyKey) {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw CliFailure.failed("cannot reach the platform at " + platform.url() + " (from " + platform.source()
                    + "); is it up? Start it with ./capstan up, or run in-process with --local");
        } catch (IOException e) {
            throw CliFailure.failed("the call " + method + " " + path + " to " + platform.url() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.failed("interrupted during " + method + " " + path);
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw CliFailure.failed("the platform refused the API key for " + method + " " + path + " (HTTP " + status + ")"
                    + problem(response.body()));
        }
        if (status / 100 != 2) {
            throw CliFailure.failed(method + " " + path + " failed with HTTP " + status + problem(response.body()));
        }
        try {
            return response.body().isBlank() ? Map.of() : json.readValue(response.body(), MAP);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    /** The platform's error envelope {@code {error, message, details}} as a readable tail, problems with their lines. */
    private String problem(String body) {
        try {
            Map<String, Object> e = json.readValue(body, MAP);
            StringBuilder sb = new StringBuilder(": ");
            sb.append(e.getOrDefault("message", e.getOrDefault("error", body)));
            Object problems = RunLog.map(e.get("details")).get("problems");
            if (problems instanceof List<?> l) {
                for (Object p : l) {
                    Map<String, Object> pm = RunLog.map(p);
                    sb.append("\n  ").append(pm.getOrDefault("path", pm.getOrDefault("pointer", "")));
                    if (pm.get("line") != null) {
                        sb.append(" (line ").append(pm.get("line")).append(')');
                    }
                    sb.append(": ").append(pm.get("message"));
                }
            }
            return sb.toString();
        } catch (JsonProcessingException | RuntimeException notJson) {
            return body == null || body.isBlank() ? "" : ": " + RunLog.truncate(body.strip());
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(platform.url() + path))
                .header("Authorization", "Bearer " + platform.apiKey());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
