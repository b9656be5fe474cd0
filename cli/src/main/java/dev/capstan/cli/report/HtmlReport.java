package dev.capstan.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.cli.CliFailure;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The run report: one self-contained HTML file (inline CSS, no scripts, fonts or images from anywhere) with the
 * run summary, a timeline with a row per node, per-node details, risk findings and human decisions. It reads the
 * log defensively: any log the runner writes, including failed and blocked runs, renders. Every value from the
 * workflow or the log is HTML-escaped.
 */
public final class HtmlReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CELL_CHARS = 100;

    private static final String CSS = """
            :root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
            *{box-sizing:border-box}
            body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#fff}
            main{max-width:1100px;margin:0 auto;padding:24px}
            h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
            .pill{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:12px;color:#fff;background:var(--muted)}
            .s-completed{background:var(--ok)}.s-failed,.s-error,.s-timeout,.s-cost_limit{background:var(--bad)}
            .s-blocked,.s-skipped,.s-not_run{background:var(--warn)}.s-running{background:#0969da}
            .meta{color:var(--muted);font-size:13px}
            .stats{display:flex;gap:24px;flex-wrap:wrap;margin:12px 0}.stats div{background:var(--bg);padding:8px 14px;border-radius:6px}
            .stats b{display:block;font-size:18px}
            .banner{border:1px solid var(--bad);background:#ffebe9;padding:8px 12px;border-radius:6px;margin:8px 0}
            table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
            th{background:var(--bg);font-weight:600}
            .bar{position:relative;height:10px;background:var(--bg);border-radius:5px;min-width:120px}
            .bar span{position:absolute;top:0;height:10px;border-radius:5px;background:#0969da;min-width:2px}
            details{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:0 12px}
            details[open]{padding-bottom:10px}summary{cursor:pointer;padding:8px 0;font-weight:600}
            pre{background:var(--bg);padding:8px;border-radius:6px;white-space:pre-wrap;word-break:break-all;margin:6px 0}
            .kv td:first-child{width:180px;color:var(--muted)}
            .sev-critical,.sev-high{color:var(--bad);font-weight:600}.sev-medium{color:var(--warn);font-weight:600}
            footer{color:var(--muted);font-size:12px;margin-top:32px;border-top:1px solid var(--line);padding-top:8px}
            """;

    private HtmlReport() {
    }

    public static void write(Path path, WorkflowDefinition def, Map<String, Object> log) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(path, render(def, log));
        } catch (IOException e) {
            throw CliFailure.failed("cannot write the report to " + path + ": " + e.getMessage());
        }
    }

    public static String render(WorkflowDefinition def, Map<String, Object> log) {
        StringBuilder h = new StringBuilder(16_384);
        String name = def != null ? def.name() : text(log.get("workflow_name"), text(log.get("workflow_id"), "workflow"));
        String status = text(log.get("status"), "UNKNOWN");
        List<Map<String, Object>> records = maps(log.get("node_records"));
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(name)).append(" - run report</title><style>").append(CSS)
                .append("</style></head>\n<body><main>\n");
        header(h, def, log, name, status, records);
        for (Map<String, Object> r : records) {
            if (isFailure(text(r.get("status"), ""))) {
                h.append("<div class=\"banner\"><b>").append(esc(text(r.get("node_id"), "?"))).append("</b> ")
                        .append(esc(text(r.get("error"), text(r.get("reason"), text(r.get("status"), "")))))
                        .append(retriedOk(records, r) ? " <i>(retried ok)</i>" : "").append("</div>\n");
            }
        }
        timeline(h, def, log, records);
        nodes(h, def, records);
        risk(h, map(log.get("risk")));
        decisions(h, maps(log.get("human_decisions")));
        notices(h, maps(log.get("events")));
        h.append("<footer>Generated by capstan from an OSOP execution log (osoplog ")
                .append(esc(text(log.get("osoplog_version"), "?"))).append(").</footer>\n</main></body></html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, WorkflowDefinition def, Map<String, Object> log, String name,
                               String status, List<Map<String, Object>> records) {
        h.append("<header><h1>").append(esc(name)).append("</h1>").append(pill(status)).append('\n');
        String description = def != null ? def.description() : null;
        if (description != null && !description.isBlank()) {
            h.append("<p>").append(esc(description)).append("</p>\n");
        }
        Map<String, Object> trigger = map(log.get("trigger"));
        Map<String, Object> runtime = map(log.get("runtime"));
        h.append("<p class=\"meta\">").append(esc(text(log.get("workflow_id"), def == null ? "?" : def.id())))
                .append(" &middot; run ").append(esc(text(log.get("run_id"), "?")))
                .append(" &middot; ").append(esc(text(log.get("mode"), "live")))
                .append(" &middot; ").append(esc(text(runtime.get("agent"), "?"))).append(" (")
                .append(esc(text(runtime.get("source"), "?"))).append(')')
                .append(" &middot; by ").append(esc(text(trigger.get("actor"), "?")))
                .append(" &middot; started ").append(esc(text(log.get("started_at"), "?"))).append("</p></header>\n");
        Map<String, Object> cost = map(log.get("cost"));
        long tokens = 0;
        for (Map<String, Object> r : records) {
            Map<String, Object> ai = map(r.get("ai_metadata"));
            tokens += number(ai.get("prompt_tokens")) + number(ai.get("completion_tokens"));
        }
        int nodeCount = def != null ? def.nodes().size() : distinctNodes(records).size();
        h.append("<section id=\"summary\"><div class=\"stats\">")
                .append(stat("Status", status)).append(stat("Duration", ms(log.get("duration_ms"))))
                .append(stat("Cost", usd(cost.get("total_usd")))).append(stat("Nodes", Integer.toString(nodeCount)))
                .append(stat("Node runs", Integer.toString(records.size()))).append(stat("Tokens", Long.toString(tokens)));
        Object limit = map(log.get("limits")).get("max_cost_usd");
        if (limit != null) {
            h.append(stat("Cost limit", usd(limit)));
        }
        h.append("</div>\n");
        if (log.get("result_summary") != null) {
            h.append("<p><b>Result:</b> ").append(esc(text(log.get("result_summary"), ""))).append("</p>\n");
        }
        Map<String, Object> error = map(log.get("error"));
        if (!error.isEmpty()) {
            h.append("<div class=\"banner\"><b>").append(esc(text(error.get("code"), "error"))).append("</b> &mdash; ")
                    .append(esc(text(error.get("message"), ""))).append("</div>\n");
        }
        h.append("</section>\n");
    }

    private static void timeline(StringBuilder h, WorkflowDefinition def, Map<String, Object> log,
                                 List<Map<String, Object>> records) {
        Instant runStart = instant(log.get("started_at"));
        long runMs = Math.max(1, number(log.get("duration_ms")));
        h.append("<section id=\"timeline\"><h2>Timeline</h2>\n<table class=\"timeline\"><thead><tr><th>Node</th><th>Type</th>")
                .append("<th>Status</th><th>Attempt</th><th>Duration</th><th>HTTP</th><th>Cost</th><th>Tokens</th>")
                .append("<th>When</th></tr></thead><tbody>\n");
        for (Map<String, Object> r : records) {
            String id = text(r.get("node_id"), "?");
            Instant start = instant(r.get("started_at"));
            long offset = runStart == null || start == null ? 0 : Math.max(0, Duration.between(runStart, start).toMillis());
            long dur = number(r.get("duration_ms"));
            double left = Math.min(100, offset * 100.0 / runMs);
            double width = Math.max(0.5, Math.min(100 - left, dur * 100.0 / runMs));
            Map<String, Object> ai = map(r.get("ai_metadata"));
            long tokens = number(ai.get("prompt_tokens")) + number(ai.get("completion_tokens"));
            h.append("<tr class=\"node-row\" data-node-id=\"").append(esc(id)).append("\"><td><a href=\"#node-")
                    .append(esc(anchor(id))).append("\">").append(esc(id)).append("</a>")
                    .append(nodeName(def, r)).append("</td><td>").append(esc(text(r.get("node_type"), "?")))
                    .append("</td><td>").append(pill(text(r.get("status"), "?"))).append("</td><td>")
                    .append(esc(text(r.get("attempt"), "1"))).append("</td><td>").append(ms(r.get("duration_ms")))
                    .append("</td><td>").append(esc(text(r.get("http_status_code"), ""))).append("</td><td>")
                    .append(r.get("cost_usd") == null ? "" : usd(r.get("cost_usd"))).append("</td><td>")
                    .append(tokens == 0 ? "" : Long.toString(tokens)).append("</td><td><div class=\"bar\"><span style=\"left:")
                    .append(String.format(Locale.ROOT, "%.1f", left)).append("%;width:")
                    .append(String.format(Locale.ROOT, "%.1f", width)).append("%\"></span></div></td></tr>\n");
        }
        if (def != null) {
            Set<String> seen = distinctNodes(records);
            for (Node n : def.nodes()) {
                if (!seen.contains(n.id())) {
                    h.append("<tr class=\"node-row not-run\" data-node-id=\"").append(esc(n.id())).append("\"><td>")
                            .append(esc(n.id())).append(n.name().equals(n.id()) ? "" : "<br><span class=\"meta\">" + esc(n.name()) + "</span>")
                            .append("</td><td>").append(esc(n.typeId().replaceFirst("^osop\\.", ""))).append("</td><td>")
                            .append(pill("NOT_RUN")).append("</td><td></td><td></td><td></td><td></td><td></td><td></td></tr>\n");
                }
            }
        }
        h.append("</tbody></table></section>\n");
    }

    private static void nodes(StringBuilder h, WorkflowDefinition def, List<Map<String, Object>> records) {
        h.append("<section id=\"nodes\"><h2>Node details</h2>\n");
        List<Map<String, Object>> ordered = new ArrayList<>();
        records.stream().filter(r -> isFailure(text(r.get("status"), ""))).forEach(ordered::add);
        records.stream().filter(r -> !isFailure(text(r.get("status"), ""))).forEach(ordered::add);
        Set<String> anchored = new LinkedHashSet<>();
        for (Map<String, Object> r : ordered) {
            String id = text(r.get("node_id"), "?");
            String status = text(r.get("status"), "?");
            h.append("<details class=\"node\"");
            if (anchored.add(id)) {
                h.append(" id=\"node-").append(esc(anchor(id))).append('"');
            }
            h.append(isFailure(status) ? " open" : "").append("><summary>").append(esc(id)).append(" &middot; ")
                    .append(esc(text(r.get("node_type"), "?"))).append(" &middot; attempt ").append(esc(text(r.get("attempt"), "1")))
                    .append(" &middot; ").append(ms(r.get("duration_ms"))).append(' ').append(pill(status)).append("</summary>\n");
            Node node = def == null ? null : def.node(id);
            if (node != null) {
                Object desc = node.config().getOrDefault("purpose", node.config().get("description"));
                if (desc != null) {
                    h.append("<p>").append(esc(String.valueOf(desc))).append("</p>\n");
                }
            }
            h.append("<table class=\"kv\">");
            row(h, "Started", r.get("started_at"));
            row(h, "Ended", r.get("ended_at"));
            row(h, "HTTP status", r.get("http_status_code"));
            if (r.get("cost_usd") != null) {
                h.append("<tr><td>Cost</td><td>").append(usd(r.get("cost_usd"))).append("</td></tr>");
            }
            Map<String, Object> ai = map(r.get("ai_metadata"));
            if (!ai.isEmpty()) {
                row(h, "Model", text(ai.get("model"), "?") + " (" + text(ai.get("provider"), "?") + ") · "
                        + number(ai.get("prompt_tokens")) + " → " + number(ai.get("completion_tokens")) + " tokens");
            }
            Map<String, Object> human = map(r.get("human_metadata"));
            if (!human.isEmpty()) {
                row(h, "Human decision", text(human.get("actor"), "?") + " · decision=" + text(human.get("decision"), "?")
                        + (human.get("notes") == null ? "" : " · " + text(human.get("notes"), "")));
            }
            row(h, "Reason", r.get("reason"));
            h.append("</table>\n");
            if (r.get("error") != null) {
                h.append("<div class=\"banner\">").append(esc(text(r.get("error"), ""))).append("</div>\n");
            }
            keyValues(h, "Inputs", map(r.get("inputs")));
            keyValues(h, "Outputs", map(r.get("outputs")));
            if (r.get("response_preview") != null) {
                h.append("<b>Response preview</b><pre>").append(esc(text(r.get("response_preview"), ""))).append("</pre>\n");
            }
            h.append("</details>\n");
        }
        h.append("</section>\n");
    }

    private static void risk(StringBuilder h, Map<String, Object> risk) {
        h.append("<section id=\"risk\"><h2>Risk assessment</h2>\n");
        if (risk.isEmpty()) {
            h.append("<p class=\"meta\">The log has no risk assessment.</p></section>\n");
            return;
        }
        h.append("<p>Score <b>").append(esc(text(risk.get("overall_score"), "?"))).append("/100</b> &middot; verdict <b>")
                .append(esc(text(risk.get("verdict"), "?"))).append("</b></p>\n");
        List<Map<String, Object>> findings = maps(risk.get("findings"));
        if (findings.isEmpty()) {
            h.append("<p class=\"meta\">No findings.</p>");
        } else {
            h.append("<table class=\"findings\"><thead><tr><th>Rule</th><th>Severity</th><th>Node</th><th>Finding</th>")
                    .append("<th>Suggestion</th></tr></thead><tbody>\n");
            for (Map<String, Object> f : findings) {
                String sev = text(f.get("severity"), "?");
                h.append("<tr><td>").append(esc(text(f.get("rule_id"), "?"))).append("</td><td class=\"sev-")
                        .append(esc(sev.toLowerCase(Locale.ROOT))).append("\">").append(esc(sev)).append("</td><td>")
                        .append(esc(text(f.get("node_id"), "")))
                        .append("</td><td>").append(esc(text(f.get("title"), ""))).append("</td><td>")
                        .append(esc(text(f.get("suggestion"), ""))).append("</td></tr>\n");
            }
            h.append("</tbody></table>");
        }
        h.append("</section>\n");
    }

    private static void decisions(StringBuilder h, List<Map<String, Object>> decisions) {
        h.append("<section id=\"decisions\"><h2>Human decisions</h2>\n");
        if (decisions.isEmpty()) {
            h.append("<p class=\"meta\">No person was asked during this run.</p></section>\n");
            return;
        }
        h.append("<table><thead><tr><th>Node</th><th>Actor</th><th>Decision</th><th>Notes</th><th>Response time</th>")
                .append("</tr></thead><tbody>\n");
        for (Map<String, Object> d : decisions) {
            h.append("<tr class=\"decision-row\"><td>").append(esc(text(d.get("node_id"), "?"))).append("</td><td>")
                    .append(esc(text(d.get("actor"), "?"))).append("</td><td>").append(esc(text(d.get("decision"), "?")))
                    .append("</td><td>").append(esc(text(d.get("notes"), ""))).append("</td><td>")
                    .append(ms(d.get("response_time_ms"))).append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void notices(StringBuilder h, List<Map<String, Object>> notices) {
        if (notices.isEmpty()) {
            return;
        }
        h.append("<section id=\"events\"><h2>Run events</h2><ul>\n");
        for (Map<String, Object> n : notices) {
            h.append("<li><b>").append(esc(text(n.get("type"), "?"))).append("</b> ").append(esc(text(n.get("message"), "")))
                    .append(" <span class=\"meta\">").append(esc(text(n.get("at"), ""))).append("</span></li>\n");
        }
        h.append("</ul></section>\n");
    }

    // ------------------------------------------------------------------ helpers

    private static void keyValues(StringBuilder h, String title, Map<String, Object> values) {
        if (values.isEmpty()) {
            return;
        }
        h.append("<b>").append(title).append("</b><table class=\"kv\">");
        values.forEach((k, v) -> h.append("<tr><td>").append(esc(k)).append("</td><td>")
                .append(esc(cut(v instanceof String s ? s : json(v)))).append("</td></tr>"));
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String label, Object value) {
        if (value != null) {
            h.append("<tr><td>").append(esc(label)).append("</td><td>").append(esc(String.valueOf(value))).append("</td></tr>");
        }
    }

    private static String nodeName(WorkflowDefinition def, Map<String, Object> r) {
        String name = r.get("node_name") instanceof String s ? s : null;
        if (name == null && def != null && def.node(text(r.get("node_id"), "")) != null) {
            name = def.node(text(r.get("node_id"), "")).name();
        }
        return name == null || name.equals(r.get("node_id")) ? "" : "<br><span class=\"meta\">" + esc(name) + "</span>";
    }

    private static boolean retriedOk(List<Map<String, Object>> records, Map<String, Object> failed) {
        int i = records.indexOf(failed);
        return records.subList(i + 1, records.size()).stream()
                .anyMatch(r -> r.get("node_id") != null && r.get("node_id").equals(failed.get("node_id"))
                        && "COMPLETED".equals(r.get("status")));
    }

    private static boolean isFailure(String status) {
        return status.equals("FAILED") || status.equals("ERROR") || status.equals("TIMEOUT");
    }

    private static Set<String> distinctNodes(List<Map<String, Object>> records) {
        Set<String> ids = new LinkedHashSet<>();
        records.forEach(r -> ids.add(text(r.get("node_id"), "?")));
        return ids;
    }

    private static String pill(String status) {
        return "<span class=\"pill s-" + esc(status.toLowerCase(Locale.ROOT)) + "\">" + esc(status.replace('_', ' ')) + "</span>";
    }

    private static String stat(String label, String value) {
        return "<div><span class=\"meta\">" + esc(label) + "</span><b>" + esc(value) + "</b></div>";
    }

    private static String ms(Object v) {
        long ms = number(v);
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }

    private static String usd(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "$%.4f", n.doubleValue()) : esc(text(v, "$0"));
    }

    private static String anchor(String id) {
        return id.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String cut(String s) {
        return s.length() <= CELL_CHARS ? s : s.substring(0, CELL_CHARS) + "…";
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return String.valueOf(v);
        }
    }

    /** Escapes text for element content and double- or single-quoted attributes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String text(Object v, String fallback) {
        return v == null ? fallback : String.valueOf(v);
    }

    private static long number(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return v == null ? 0 : Long.parseLong(String.valueOf(v));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant instant(Object v) {
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(String.valueOf(v));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Map<String, Object>> maps(Object o) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                if (x instanceof Map<?, ?>) {
                    out.add(map(x));
                }
            }
        }
        return out;
    }
}
