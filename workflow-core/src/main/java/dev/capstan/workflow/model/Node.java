package dev.capstan.workflow.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One step of a workflow.
 *
 * @param typeId     OpenWOP typeId, or the OSOP type (prefixed {@code osop.}, e.g. {@code osop.api})
 * @param config     per-type configuration (OSOP: runtime, subtype, purpose, ...), immutable
 * @param inputs     port name → value source
 * @param timeoutMs  per-attempt timeout, null for none
 * @param interrupt  set when {@code kind == INTERRUPT}, or when a TASK needs approval before it runs
 */
public record Node(String id, String typeId, String name, NodeKind kind, Map<String, Object> config,
                   Map<String, PortValue> inputs, RetryPolicy retry, Long timeoutMs, Security security,
                   CostEstimate cost, InterruptSpec interrupt) {

    public Node {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(typeId, "typeId");
        name = name == null ? id : name;
        Objects.requireNonNull(kind, "kind");
        config = Values.freezeMap(config);
        inputs = inputs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        retry = retry == null ? RetryPolicy.NONE : retry;
        security = security == null ? Security.NONE : security;
        cost = cost == null ? CostEstimate.NONE : cost;
        if (kind == NodeKind.INTERRUPT && interrupt == null) {
            throw new IllegalArgumentException("interrupt node " + id + " needs an InterruptSpec");
        }
    }

    /** A TASK node whose security says a person approves it before it is dispatched. */
    public boolean needsApprovalBeforeDispatch() {
        return kind == NodeKind.TASK && security.approvalGate();
    }
}
