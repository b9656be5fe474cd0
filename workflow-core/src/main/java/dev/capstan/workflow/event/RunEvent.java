package dev.capstan.workflow.event;

import dev.capstan.workflow.model.Values;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a run's append-only event log, shaped like OpenWOP's RunEventDoc. Sequences are 0-based and
 * contiguous per run; the payload follows {@code run-event-payloads.schema.json} for protocol types.
 */
public record RunEvent(String eventId, String runId, long sequence, String type, Instant timestamp, String nodeId,
                       Map<String, Object> payload) {

    public RunEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        payload = Values.freezeMap(payload);
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0");
        }
    }

    /** The OpenWOP RunEventDoc as plain values (timestamp as ISO-8601). */
    public Map<String, Object> toDocument() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("eventId", eventId);
        doc.put("runId", runId);
        if (nodeId != null) {
            doc.put("nodeId", nodeId);
        }
        doc.put("type", type);
        doc.put("payload", payload);
        doc.put("timestamp", timestamp.toString());
        doc.put("sequence", sequence);
        return doc;
    }

    public boolean isTerminal() {
        return EventTypes.isTerminal(type);
    }

    /** Same event moved to another run (fork): new run id, same event id, sequence and payload. */
    public RunEvent withRunId(String newRunId) {
        return new RunEvent(eventId, newRunId, sequence, type, timestamp, nodeId, payload);
    }
}
