package dev.capstan.workflow.state;

import dev.capstan.workflow.model.Values;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-run limits from the run request ({@code configurable}); null means "use the definition's or the default".
 */
public record RunOptions(Integer recursionLimit, Integer maxNodeExecutions, Long runTimeoutMs, Integer maxLoopIterations,
                         Double budgetUsd) {

    public static final RunOptions DEFAULTS = new RunOptions(null, null, null, null, null);
    public static final int DEFAULT_MAX_NODE_EXECUTIONS = 100;

    /** Overlay: values set in {@code other} win. */
    public RunOptions overlay(RunOptions other) {
        if (other == null) {
            return this;
        }
        return new RunOptions(other.recursionLimit != null ? other.recursionLimit : recursionLimit,
                other.maxNodeExecutions != null ? other.maxNodeExecutions : maxNodeExecutions,
                other.runTimeoutMs != null ? other.runTimeoutMs : runTimeoutMs,
                other.maxLoopIterations != null ? other.maxLoopIterations : maxLoopIterations,
                other.budgetUsd != null ? other.budgetUsd : budgetUsd);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        putIfSet(m, "recursionLimit", recursionLimit);
        putIfSet(m, "maxNodeExecutions", maxNodeExecutions);
        putIfSet(m, "runTimeoutMs", runTimeoutMs);
        putIfSet(m, "maxLoopIterations", maxLoopIterations);
        putIfSet(m, "budgetUsd", budgetUsd);
        return m;
    }

    public static RunOptions fromMap(Map<String, Object> m) {
        if (m == null || m.isEmpty()) {
            return DEFAULTS;
        }
        Long rl = Values.asLong(m.get("recursionLimit"));
        Long mx = Values.asLong(m.get("maxNodeExecutions"));
        Long li = Values.asLong(m.get("maxLoopIterations"));
        return new RunOptions(rl == null ? null : rl.intValue(), mx == null ? null : mx.intValue(),
                Values.asLong(m.get("runTimeoutMs")), li == null ? null : li.intValue(), Values.asDouble(m.get("budgetUsd")));
    }

    private static void putIfSet(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
