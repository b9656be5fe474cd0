package dev.capstan.workflow.model;

import java.util.Map;

/** How a run may be started (manual, schedule, webhook, event, ...); {@code nodeId} optionally names the entry node. */
public record Trigger(String id, String type, String nodeId, boolean enabled, Map<String, Object> config) {
    public Trigger {
        config = Values.freezeMap(config);
    }
}
