package dev.capstan.cli.run;

import java.io.PrintWriter;
import java.util.Map;

/** The live progress display: one line per node event, from the same event documents the log is built from. */
public final class ProgressPrinter {

    private final PrintWriter out;

    public ProgressPrinter(PrintWriter out) {
        this.out = out;
    }

    public void onEvent(Map<String, Object> event) {
        String type = String.valueOf(event.get("type"));
        Map<String, Object> p = RunLog.map(event.get("payload"));
        String node = event.get("nodeId") instanceof String s ? s : String.valueOf(p.getOrDefault("nodeId", ""));
        String line = switch (type) {
            case "run.started" -> "Run " + event.get("runId") + " started";
            case "node.started" -> "  > " + node + attempt(p);
            case "node.completed" -> "  ok " + node + " (" + p.getOrDefault("durationMs", 0) + " ms"
                    + httpStatus(RunLog.map(p.get("outputs"))) + cost(RunLog.map(p.get("cost"))) + ")";
            case "node.failed" -> "  FAILED " + node + ": " + RunLog.map(p.get("error")).getOrDefault("message", "failed");
            case "node.skipped" -> "  - " + node + " skipped (" + p.getOrDefault("reason", "") + ")";
            case "node.cancelled" -> "  x " + node + " cancelled";
            case "interrupt.requested" -> "  ? " + node + " waits for a person (" + p.get("kind") + ")";
            case "interrupt.resolved" -> "  ! " + node + " answered: " + RunLog.map(p.get("resumeValue")).getOrDefault("action", "resumed");
            case "cap.breached" -> "  LIMIT " + p.get("kind") + " reached (limit " + p.get("limit") + ")";
            case "run.completed" -> "Run completed";
            case "run.failed" -> "Run failed: " + RunLog.map(p.get("error")).getOrDefault("message", "");
            case "run.cancelled" -> "Run cancelled";
            default -> null;
        };
        if (line != null) {
            out.println(line);
            out.flush();
        }
    }

    private static String attempt(Map<String, Object> p) {
        return p.get("attempt") instanceof Number n && n.intValue() > 0 ? " (attempt " + (n.intValue() + 1) + ")" : "";
    }

    private static String httpStatus(Map<String, Object> outputs) {
        return outputs.get("status") instanceof Number n && outputs.containsKey("body") ? ", HTTP " + n : "";
    }

    private static String cost(Map<String, Object> cost) {
        return cost.get("usd") instanceof Number n && n.doubleValue() > 0 ? String.format(", $%.4f", n.doubleValue()) : "";
    }
}
