package dev.capstan.workflow.engine;

import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shapes an interrupt's {@code data} into the closed per-kind forms of OpenWOP's {@code suspend-request.schema.json},
 * filling what the definition left out (an approval needs an artifact id/type, a clarification at least one question).
 */
final class InterruptData {

    private static final List<String> APPROVAL_FIELDS = List.of("artifactId", "artifactType", "title", "description",
            "artifactData", "actions", "requiredApprovals", "approversList", "rejectionPolicy");

    private InterruptData() {
    }

    static Map<String, Object> forKind(InterruptKind kind, String nodeId, Map<String, Object> given) {
        Map<String, Object> d = new LinkedHashMap<>();
        String title = String.valueOf(given.getOrDefault("title", nodeId));
        switch (kind) {
            case APPROVAL -> {
                for (String f : APPROVAL_FIELDS) {
                    if (given.containsKey(f) && given.get(f) != null) {
                        d.put(f, given.get(f));
                    }
                }
                d.putIfAbsent("artifactId", nodeId);
                d.putIfAbsent("artifactType", "workflow-step");
                d.put("title", title.isEmpty() ? nodeId : title);
                List<String> actions = new ArrayList<>();
                Object a = d.get("actions");
                if (a instanceof List<?> l) {
                    for (Object x : l) {
                        String s = "edit".equals(x) ? "edit-accept" : String.valueOf(x);
                        if (!actions.contains(s)) {
                            actions.add(s);
                        }
                    }
                }
                d.put("actions", actions.isEmpty() ? List.of("accept", "reject") : actions);
                if (d.get("description") != null) {
                    d.put("description", String.valueOf(d.get("description")));
                }
            }
            case CLARIFICATION -> {
                Object q = given.get("questions");
                List<Object> questions = new ArrayList<>();
                if (q instanceof List<?> l) {
                    int i = 1;
                    for (Object x : l) {
                        Map<String, Object> qm = Values.asMap(x);
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("id", String.valueOf(qm.getOrDefault("id", "q" + i)));
                        out.put("question", String.valueOf(qm.getOrDefault("question", x instanceof String ? x : title)));
                        if (qm.get("schema") instanceof Map<?, ?>) {
                            out.put("schema", qm.get("schema"));
                        }
                        questions.add(out);
                        i++;
                    }
                }
                if (questions.isEmpty()) {
                    Object desc = given.getOrDefault("description", title);
                    questions.add(Map.of("id", "q1", "question", String.valueOf(desc)));
                }
                d.put("questions", questions);
                if (given.get("contextType") instanceof String ct) {
                    d.put("contextType", ct);
                }
            }
            case EXTERNAL_EVENT -> {
                d.put("eventType", String.valueOf(given.getOrDefault("eventType", nodeId)));
                d.put("correlation", Values.asMap(given.get("correlation")));
            }
            case CUSTOM -> {
                d.put("customKind", String.valueOf(given.getOrDefault("customKind", "capstan.custom")));
                Map<String, Object> payload = new LinkedHashMap<>(given);
                payload.remove("customKind");
                d.put("payload", given.containsKey("payload") ? given.get("payload") : payload);
            }
            default -> throw new IllegalStateException();
        }
        return d;
    }
}
