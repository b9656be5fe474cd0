package dev.capstan.workflow.cost;

import java.util.LinkedHashMap;
import java.util.Map;

/** Money and tokens spent. Per node (from node.completed) and summed per run. */
public record CostTotals(double usd, long inputTokens, long outputTokens) {

    public static final CostTotals ZERO = new CostTotals(0, 0, 0);

    public CostTotals plus(CostTotals other) {
        return other == null ? this : new CostTotals(usd + other.usd, inputTokens + other.inputTokens,
                outputTokens + other.outputTokens);
    }

    /** OpenWOP {@code metrics.openwopCost} shape: {usd, tokens{input, output}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usd", usd);
        m.put("tokens", Map.of("input", inputTokens, "output", outputTokens));
        return m;
    }

    public static CostTotals fromMap(Map<String, Object> m) {
        if (m == null || m.isEmpty()) {
            return ZERO;
        }
        Object tokens = m.get("tokens");
        Map<?, ?> t = tokens instanceof Map<?, ?> tm ? tm : Map.of();
        return new CostTotals(num(m.get("usd")), (long) num(t.get("input")), (long) num(t.get("output")));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }
}
