package dev.capstan.cli.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@code .osoplog.yaml} record of one run from its event log (the same event documents whether the run
 * was in-process or streamed from the platform), plus what only an in-process run sees: the resolved request, the
 * HTTP status and response preview of failed calls, the model that answered. Not thread-safe: one caller feeds it.
 */
public final class RunLog {

    public static final String VERSION = "1.0";
    /** OSOP caps previews at 500 characters; so do we. */
    static final int PREVIEW_CHARS = 500;

    private static final Set<String> OSOP_LOG_NODE_TYPES = Set.of("human", "agent", "api", "cli", "db", "git", "docker",
            "cicd", "mcp", "system", "infra", "data");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What only the process that ran the node knows. Any field may be null. */
    public record NodeDetail(Map<String, Object> request, Integer httpStatus, String responsePreview, Integer httpRetries,
                             String model, String provider) {
    }

    private final WorkflowDefinition definition;
    private final String source;
    private final String actor;
    private final Instant createdAt;

    private String runId;
    private Instant startedAt;
    private Instant endedAt;
    private String status;
    private Map<String, Object> runError;
    private String summary;
    private Map<String, Object> risk;
    private Double maxCostUsd;
    private final List<Map<String, Object>> records = new ArrayList<>();
    private final Map<String, Map<String, Object>> open = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> pendingHuman = new LinkedHashMap<>();
    private final Map<String, Instant> interruptRequestedAt = new LinkedHashMap<>();
    private final List<Map<String, Object>> humanDecisions = new ArrayList<>();
    private final List<Map<String, Object>> notices = new ArrayList<>();

    /**
     * @param source {@code executor} for an in-process run, {@code platform} for one streamed from the server
     * @param actor  who started the run (the OS user)
     */
    public RunLog(WorkflowDefinition definition, String source, String actor, Instant createdAt) {
        this.definition = definition;
        this.source = source;
        this.actor = actor;
        this.createdAt = createdAt;
    }

    public void risk(Map<String, Object> riskView) {
        this.risk = riskView;
    }

    public void maxCost(Double usd) {
        this.maxCostUsd = usd;
    }

    public String status() {
        return status;
    }

    public String runId() {
        return runId;
    }

    public Map<String, Object> runError() {
        return runError;
    }

    /** The run never started: refused before the first event (no approval, a policy), with the reason. */
    public void blocked(String reason, Instant at) {
        status = "BLOCKED";
        summary = reason;
        startedAt = startedAt == null ? at : startedAt;
        endedAt = at;
        notices.add(entry("blocked", reason, at));
    }

    /** The pre-flight question (risk above 30 or approval gates) and its answer. */
    public void preflightDecision(String who, boolean accepted, String notes, Instant at) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("node_id", "pre-flight");
        h.put("actor", who);
        h.put("decision", accepted ? "accept" : "reject");
        h.put("notes", notes);
        h.put("response_time_ms", 0);
        h.put("decided_at", at.toString());
        humanDecisions.add(h);
    }

    /** A log entry that is not a node's: a cap reached, a cancellation asked for. */
    public void notice(String type, String message, Instant at) {
        notices.add(entry(type, message, at));
    }

    /** One event document ({@code RunEvent.toDocument()} or an SSE {@code data:} of the platform). */
    public void onEvent(Map<String, Object> event) {
        String type = String.valueOf(event.get("type"));
        String nodeId = event.get("nodeId") instanceof String s ? s : null;
        Map<String, Object> p = map(event.get("payload"));
        Instant at = instant(event.get("timestamp"));
        if (runId == null && event.get("runId") instanceof String r) {
            runId = r;
        }
        if (nodeId == null && p.get("nodeId") instanceof String s) {
            nodeId = s;
        }
        switch (type) {
            case "run.started" -> startedAt = at;
            case "node.started" -> {
                Map<String, Object> r = newRecord(nodeId, number(p.get("attempt")) + 1, "RUNNING", at);
                open.put(nodeId, r);
            }
            case "node.completed" -> {
                Map<String, Object> r = openOrNew(nodeId, at, p);
                r.put("status", "COMPLETED");
                end(r, at, p);
                Map<String, Object> outputs = map(p.get("outputs"));
                r.put("outputs", previewOutputs(outputs, "api".equals(r.get("node_type"))));
                if ("api".equals(r.get("node_type")) && !r.containsKey("http_status_code") && outputs.get("status") instanceof Number n) {
                    r.put("http_status_code", n.intValue());
                }
                if ("api".equals(r.get("node_type")) && !r.containsKey("response_preview") && outputs.containsKey("body")) {
                    r.put("response_preview", preview(outputs.get("body")));
                }
                cost(r, map(p.get("cost")));
                open.remove(nodeId);
            }
            case "node.failed" -> {
                Map<String, Object> r = openOrNew(nodeId, at, p);
                Map<String, Object> error = map(p.get("error"));
                String code = String.valueOf(error.getOrDefault("code", "node_failed"));
                r.put("status", code.endsWith("timeout") ? "TIMEOUT" : "FAILED");
                end(r, at, p);
                r.put("error", code + ": " + error.getOrDefault("message", "the node failed"));
                r.put("error_detail", errorDetail(error));
                Map<String, Object> details = map(error.get("details"));
                if (!r.containsKey("http_status_code") && details.get("status") instanceof Number n) {
                    r.put("http_status_code", n.intValue());
                }
                cost(r, map(p.get("cost")));
                open.remove(nodeId);
            }
            case "node.skipped" -> {
                Map<String, Object> r = newRecord(nodeId, 1, "SKIPPED", at);
                r.put("ended_at", at.toString());
                r.put("duration_ms", 0);
                r.put("reason", String.valueOf(p.getOrDefault("reason", "skipped")));
            }
            case "node.cancelled" -> {
                Map<String, Object> r = open.remove(nodeId);
                String reason = "cancelled (" + p.getOrDefault("reason", "run ended") + ")";
                if (r == null) {
                    r = newRecord(nodeId, 1, "SKIPPED", at);
                    r.put("duration_ms", 0);
                } else {
                    r.put("status", "ERROR");
                    end(r, at, Map.of());
                }
                r.put("ended_at", at.toString());
                r.put("reason", reason);
            }
            case "interrupt.requested" -> interruptRequestedAt.put(nodeId, at);
            case "interrupt.resolved" -> humanDecision(nodeId, p, at);
            case "cap.breached" -> notices.add(entry("cap_breached", "The run reached its " + p.get("kind") + " limit of "
                    + p.get("limit") + " (observed " + p.get("observed") + ").", at));
            case "run.completed" -> {
                endedAt = at;
                status = "COMPLETED";
                summary = "Completed " + count("COMPLETED") + " of " + definition.nodes().size() + " nodes.";
            }
            case "run.failed" -> {
                endedAt = at;
                runError = errorDetail(map(p.get("error")));
                String code = String.valueOf(runError.get("code"));
                status = switch (code) {
                    case "budget_exhausted" -> "COST_LIMIT";
                    case "run_timeout" -> "TIMEOUT";
                    case "approval_rejected" -> "BLOCKED";
                    default -> "FAILED";
                };
                summary = runError.get("message") + (p.get("failedNodeId") != null ? " (node " + p.get("failedNodeId") + ")" : "");
                if ("COST_LIMIT".equals(status)) {
                    notices.add(entry("cost_limit", String.valueOf(runError.get("message")), at));
                }
            }
            case "run.cancelled" -> {
                endedAt = at;
                status = "FAILED";
                runError = ordered("code", "cancelled", "message",
                        "The run was cancelled" + (p.get("reason") != null ? ": " + p.get("reason") : "") + ".");
                summary = String.valueOf(runError.get("message"));
            }
            default -> {
                // Chunks, variable changes and pause/resume are not part of the OSOP record.
            }
        }
    }

    /** Attaches what the local runner saw to the node's running attempt. */
    public void detail(String nodeId, NodeDetail d) {
        Map<String, Object> r = open.get(nodeId);
        if (r == null) {
            return;
        }
        if (d.request() != null && !d.request().isEmpty()) {
            r.put("inputs", d.request());
        }
        if (d.httpStatus() != null) {
            r.put("http_status_code", d.httpStatus());
        }
        if (d.responsePreview() != null) {
            r.put("response_preview", truncate(d.responsePreview()));
        }
        if (d.httpStatus() != null) {
            r.put("tools_used", List.of(ordered("tool", "http", "calls", 1 + (d.httpRetries() == null ? 0 : d.httpRetries()))));
        }
        if (d.model() != null) {
            Map<String, Object> ai = map(r.computeIfAbsent("ai_metadata", k -> new LinkedHashMap<String, Object>()));
            ai.put("model", d.model());
            if (d.provider() != null) {
                ai.put("provider", d.provider());
            }
        }
    }

    /** The record as plain values, in the OSOP log's field order; fields Capstan adds follow the schema's. */
    public Map<String, Object> toDocument(Instant now) {
        Instant start = startedAt != null ? startedAt : createdAt;
        Instant end = endedAt != null ? endedAt : now;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("osoplog_version", VERSION);
        m.put("run_id", runId != null ? runId : "not-started");
        m.put("workflow_id", definition.id());
        m.put("workflow_name", definition.name());
        m.put("workflow_version", definition.version());
        m.put("mode", "live");
        m.put("status", status != null ? status : "FAILED");
        m.put("trigger", ordered("type", "manual", "actor", actor, "timestamp", createdAt.toString(),
                "source", "capstan-cli"));
        m.put("started_at", start.toString());
        m.put("ended_at", end.toString());
        m.put("duration_ms", Math.max(0, Duration.between(start, end).toMillis()));
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("agent", "capstan-cli");
        runtime.put("source", source);
        m.put("runtime", runtime);
        if (risk != null) {
            m.put("risk", risk);
        }
        if (maxCostUsd != null) {
            m.put("limits", ordered("max_cost_usd", maxCostUsd));
        }
        for (Map<String, Object> r : open.values()) {
            r.putIfAbsent("ended_at", end.toString());
        }
        List<Map<String, Object>> ordered = new ArrayList<>();
        for (Map<String, Object> r : records) {
            ordered.add(inRecordOrder(r));
        }
        m.put("node_records", ordered);
        if (!humanDecisions.isEmpty()) {
            m.put("human_decisions", humanDecisions);
        }
        if (!notices.isEmpty()) {
            m.put("events", notices);
        }
        if (runError != null) {
            m.put("error", runError);
        }
        m.put("result_summary", summary != null ? summary : "The run did not finish.");
        double total = 0;
        List<Map<String, Object>> breakdown = new ArrayList<>();
        for (Map<String, Object> r : records) {
            double usd = r.get("cost_usd") instanceof Number n ? n.doubleValue() : 0;
            total += usd;
            if (usd > 0) {
                breakdown.add(ordered("node_id", r.get("node_id"), "cost_usd", usd));
            }
        }
        Map<String, Object> cost = new LinkedHashMap<>();
        cost.put("total_usd", total);
        cost.put("breakdown", breakdown);
        m.put("cost", cost);
        return m;
    }

    // ------------------------------------------------------------------ helpers

    /** The order fields are written in, whatever order the run filled them in; unknown fields follow. */
    private static final List<String> RECORD_FIELDS = List.of("node_id", "node_name", "node_type", "attempt", "status",
            "started_at", "ended_at", "duration_ms", "reason", "inputs", "outputs", "http_status_code", "response_preview",
            "cost_usd", "ai_metadata", "tools_used", "human_metadata", "error", "error_detail");

    private static Map<String, Object> inRecordOrder(Map<String, Object> r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String f : RECORD_FIELDS) {
            if (r.containsKey(f)) {
                out.put(f, r.get(f));
            }
        }
        r.forEach(out::putIfAbsent);
        return out;
    }

    /** A map that keeps the order its pairs are given in ({@code Map.of} does not). */
    static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put(String.valueOf(pairs[i]), pairs[i + 1]);
        }
        return m;
    }

    private Map<String, Object> newRecord(String nodeId, long attempt, String status, Instant at) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("node_id", nodeId);
        r.put("node_type", osopType(nodeId));
        Node node = definition.node(nodeId);
        if (node != null && !node.name().equals(nodeId)) {
            r.put("node_name", node.name());
        }
        r.put("attempt", Math.max(1, attempt));
        r.put("status", status);
        r.put("started_at", at.toString());
        Map<String, Object> human = pendingHuman.remove(nodeId);
        if (human != null) {
            r.put("human_metadata", human);
        }
        records.add(r);
        return r;
    }

    /** The running attempt; or, when the stream did not carry its start, one that began durationMs before {@code at}. */
    private Map<String, Object> openOrNew(String nodeId, Instant at, Map<String, Object> payload) {
        Map<String, Object> r = open.get(nodeId);
        if (r != null) {
            return r;
        }
        long attempt = number(payload.get("attempt")) + 1;
        return newRecord(nodeId, attempt, "RUNNING", at.minusMillis(Math.max(0, number(payload.get("durationMs")))));
    }

    private static void end(Map<String, Object> r, Instant at, Map<String, Object> payload) {
        r.put("ended_at", at.toString());
        long duration = payload.get("durationMs") instanceof Number n ? n.longValue()
                : Math.max(0, Duration.between(instant(r.get("started_at")), at).toMillis());
        r.put("duration_ms", Math.max(0, duration));
    }

    private static void cost(Map<String, Object> r, Map<String, Object> cost) {
        double usd = cost.get("usd") instanceof Number n ? n.doubleValue() : 0;
        r.put("cost_usd", usd);
        Map<String, Object> tokens = map(cost.get("tokens"));
        long in = tokens.get("input") instanceof Number n ? n.longValue() : 0;
        long out = tokens.get("output") instanceof Number n ? n.longValue() : 0;
        if (in > 0 || out > 0) {
            Map<String, Object> ai = map(r.computeIfAbsent("ai_metadata", k -> new LinkedHashMap<String, Object>()));
            ai.put("prompt_tokens", in);
            ai.put("completion_tokens", out);
        }
    }

    private void humanDecision(String nodeId, Map<String, Object> p, Instant at) {
        Object resume = p.get("resumeValue");
        Map<String, Object> rv = map(resume);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("actor", p.get("resolvedBy") instanceof String s ? s : actor);
        String decision = rv.get("action") instanceof String a ? a : rv.containsKey("answers") ? "answered" : "resumed";
        h.put("decision", decision);
        if (rv.get("notes") instanceof String notes) {
            h.put("notes", notes);
        } else if (rv.get("answers") != null) {
            h.put("notes", "answers: " + preview(rv.get("answers")));
        }
        Instant asked = interruptRequestedAt.remove(nodeId);
        h.put("response_time_ms", asked == null ? 0 : Math.max(0, Duration.between(asked, at).toMillis()));
        Map<String, Object> r = open.get(nodeId);
        if (r != null) {
            r.put("human_metadata", h);
        } else {
            // An approval gate before a task: the decision belongs to the attempt that follows (or its cancellation).
            pendingHuman.put(nodeId, h);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("node_id", nodeId);
        top.putAll(h);
        top.put("decided_at", at.toString());
        humanDecisions.add(top);
    }

    private long count(String status) {
        return records.stream().filter(r -> status.equals(r.get("status"))).map(r -> r.get("node_id")).distinct().count();
    }

    private String osopType(String nodeId) {
        Node node = definition.node(nodeId);
        String typeId = node == null ? "" : node.typeId();
        if (typeId.startsWith("osop.") && OSOP_LOG_NODE_TYPES.contains(typeId.substring(5))) {
            return typeId.substring(5);
        }
        // OpenWOP types and OSOP's editor-only types have no log type of their own: name the closest one.
        if (typeId.startsWith("core.http")) {
            return "api";
        }
        if (typeId.equals("core.shell")) {
            return "cli";
        }
        if (typeId.equals("core.llm") || typeId.startsWith("core.ai")) {
            return "agent";
        }
        if (node != null && node.kind() == dev.capstan.workflow.model.NodeKind.INTERRUPT) {
            return "human";
        }
        return "system";
    }

    private static Map<String, Object> entry(String type, String message, Instant at) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("type", type);
        n.put("message", message);
        n.put("at", at.toString());
        return n;
    }

    private static Map<String, Object> errorDetail(Map<String, Object> error) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", String.valueOf(error.getOrDefault("code", "failed")));
        e.put("message", String.valueOf(error.getOrDefault("message", "")));
        if (error.get("retryable") instanceof Boolean b) {
            e.put("retryable", b);
        }
        return e;
    }

    /** Outputs with every value cut to a preview; an API node's response headers are left out as noise. */
    static Map<String, Object> previewOutputs(Map<String, Object> outputs, boolean api) {
        Map<String, Object> out = new LinkedHashMap<>();
        outputs.forEach((k, v) -> {
            if (!(api && k.equals("headers"))) {
                out.put(k, v instanceof Number || v instanceof Boolean || v == null ? v : preview(v));
            }
        });
        return out;
    }

    static String preview(Object v) {
        String s;
        if (v instanceof String str) {
            s = str;
        } else {
            try {
                s = JSON.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                s = String.valueOf(v);
            }
        }
        return truncate(s);
    }

    static String truncate(String s) {
        return s.length() <= PREVIEW_CHARS ? s : s.substring(0, PREVIEW_CHARS) + "…";
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static Instant instant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        try {
            return o == null ? Instant.now() : Instant.parse(String.valueOf(o));
        } catch (java.time.format.DateTimeParseException e) {
            return Instant.now();
        }
    }
}
