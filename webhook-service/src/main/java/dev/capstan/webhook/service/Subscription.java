package dev.capstan.webhook.service;

import java.time.Instant;
import java.util.Set;

/**
 * An active subscription as the dispatcher sees it.
 *
 * @param eventTypes the event types it wants; {@link #ALL_EVENTS} stands for every type
 * @param tags       when not empty, only runs with at least one of these tags deliver to it
 */
public record Subscription(String id, String tenantId, String url, Set<String> eventTypes, Set<String> tags,
                           String secret, Instant createdAt) {

    /** Capstan's wildcard in {@code events[]}: every event type, including ones added later. */
    public static final String ALL_EVENTS = "*";

    public Subscription {
        eventTypes = Set.copyOf(eventTypes);
        tags = Set.copyOf(tags);
    }

    public boolean wants(String eventType) {
        return eventTypes.contains(eventType) || eventTypes.contains(ALL_EVENTS);
    }

    @Override
    public String toString() {
        // Never the secret.
        return "Subscription[" + id + ", tenant " + tenantId + "]";
    }
}
