package dev.capstan.workflow.state;

import dev.capstan.workflow.cost.CostTotals;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The OpenWOP RunSnapshot view of a run state (GET /v1/runs/{runId}), as plain values. */
public final class RunSnapshots {

    private RunSnapshots() {
    }

    public static Map<String, Object> toSnapshot(RunState s, String engineVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", s.runId());
        m.put("workflowId", s.workflowId());
        m.put("status", s.status().wireName());
        String current = s.interrupts().isEmpty() ? s.currentNodeId() : s.interrupts().keySet().iterator().next();
        if (current != null) {
            m.put("currentNodeId", current);
        }
        if (s.startedAt() != null) {
            m.put("startedAt", s.startedAt().toString());
        }
        if (s.endedAt() != null) {
            m.put("completedAt", s.endedAt().toString());
        }
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (NodeState n : s.nodes().values()) {
            Map<String, Object> ns = new LinkedHashMap<>();
            ns.put("status", n.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            ns.put("attempt", n.attempt());
            ns.put("executions", n.executions());
            if (!n.outputs().isEmpty()) {
                ns.put("outputs", n.outputs());
            }
            if (n.error() != null) {
                ns.put("error", n.error().toMap());
            }
            CostTotals c = s.nodeCosts().get(n.nodeId());
            if (c != null) {
                ns.put("cost", c.toMap());
            }
            nodes.put(n.nodeId(), ns);
        }
        m.put("nodeStates", nodes);
        m.put("variables", s.variables());
        if (s.error() != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", s.error().code());
            e.put("message", s.error().message());
            if (!s.error().details().isEmpty()) {
                e.put("details", s.error().details());
            }
            m.put("error", e);
        }
        if (engineVersion != null) {
            m.put("engineVersion", engineVersion);
        }
        m.put("configurable", s.options().toMap());
        m.put("metrics", Map.of("openwopCost", s.cost().toMap()));
        return m;
    }
}
