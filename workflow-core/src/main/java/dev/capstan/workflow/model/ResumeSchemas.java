package dev.capstan.workflow.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Default JSON Schemas for interrupt resume values, per kind (OpenWOP interrupt.md). */
public final class ResumeSchemas {

    public static final List<String> APPROVAL_ACTIONS = List.of("accept", "reject", "refine", "edit-accept", "ask");

    private ResumeSchemas() {
    }

    /** Approval: {@code {action}} with action limited to the offered actions (legacy "edit" means "edit-accept"). */
    public static Map<String, Object> approval(List<String> offeredActions) {
        List<String> actions = new ArrayList<>();
        for (String a : offeredActions == null || offeredActions.isEmpty() ? APPROVAL_ACTIONS : offeredActions) {
            actions.add("edit".equals(a) ? "edit-accept" : a);
        }
        return Values.freezeMap(Map.of(
                "type", "object",
                "required", List.of("action"),
                "properties", Map.of("action", Map.of("enum", actions))));
    }

    /** Clarification: answers as the spec's array of {id, answer} or the suite's map. */
    public static Map<String, Object> clarification() {
        return Values.freezeMap(Map.of(
                "type", "object",
                "required", List.of("answers"),
                "properties", Map.of("answers", Map.of("type", List.of("array", "object")))));
    }

    public static Map<String, Object> externalEvent() {
        return Values.freezeMap(Map.of("type", "object"));
    }

    public static Map<String, Object> forKind(InterruptKind kind) {
        return switch (kind) {
            case APPROVAL -> approval(null);
            case CLARIFICATION -> clarification();
            case EXTERNAL_EVENT -> externalEvent();
            case CUSTOM -> Map.of();
        };
    }
}
