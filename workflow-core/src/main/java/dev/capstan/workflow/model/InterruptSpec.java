package dev.capstan.workflow.model;

import java.util.Map;

/**
 * What a human-in-the-loop node asks for: the kind, the data shown to the person, an optional JSON Schema the
 * resume value must satisfy (null = the kind's default schema) and an optional timeout.
 */
public record InterruptSpec(InterruptKind kind, Map<String, Object> data, Map<String, Object> resumeSchema, Long timeoutMs) {
    public InterruptSpec {
        data = Values.freezeMap(data);
        resumeSchema = resumeSchema == null ? null : Values.freezeMap(resumeSchema);
    }
}
