package dev.capstan.webhook.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A record of {@code capstan.run.events} as run-service publishes it: {@code {v: 1, tenantId, runId, events:
 * [RunEventDoc…]}}, one per committed decision, at least once.
 *
 * @param events in sequence order
 */
public record RunEventsMessage(String tenantId, String runId, List<Event> events) {

    public static final int VERSION = 1;

    /**
     * One RunEventDoc. {@code doc} is the event exactly as received (it is delivered verbatim); timestamp is null
     * when absent or not ISO-8601.
     */
    public record Event(long sequence, String type, Instant timestamp, JsonNode doc) {

        public Event {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(doc, "doc");
        }

        /** {@code payload.tags} of a run.started event (OpenWOP run-event-payloads), empty when absent. */
        public List<String> payloadTags() {
            List<String> tags = new ArrayList<>();
            JsonNode node = doc.path("payload").path("tags");
            if (node.isArray()) {
                node.forEach(t -> {
                    if (t.isTextual()) {
                        tags.add(t.asText());
                    }
                });
            }
            return tags;
        }
    }

    public RunEventsMessage {
        events = List.copyOf(events);
    }

    /** Reads a record's value; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static RunEventsMessage read(JsonNode value) {
        if (value == null || !value.isObject()) {
            throw new IllegalArgumentException("the value is not a JSON object");
        }
        if (value.path("v").asInt(-1) != VERSION) {
            throw new IllegalArgumentException("unsupported message version " + value.path("v"));
        }
        String tenantId = text(value, "tenantId");
        String runId = text(value, "runId");
        JsonNode events = value.path("events");
        if (!events.isArray()) {
            throw new IllegalArgumentException("events is not an array");
        }
        List<Event> parsed = new ArrayList<>();
        for (JsonNode e : events) {
            if (!e.isObject() || !e.path("sequence").canConvertToLong() || !e.path("type").isTextual()) {
                throw new IllegalArgumentException("an event has no sequence or type");
            }
            if (!runId.equals(e.path("runId").asText(runId))) {
                throw new IllegalArgumentException("an event belongs to another run");
            }
            parsed.add(new Event(e.path("sequence").asLong(), e.path("type").asText(), timestamp(e), e));
        }
        parsed.sort(java.util.Comparator.comparingLong(Event::sequence));
        return new RunEventsMessage(tenantId, runId, parsed);
    }

    private static String text(JsonNode value, String field) {
        JsonNode node = value.path(field);
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return node.asText();
    }

    private static Instant timestamp(JsonNode event) {
        try {
            return event.path("timestamp").isTextual() ? Instant.parse(event.path("timestamp").asText()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
