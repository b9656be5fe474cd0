package dev.capstan.run.repository;

import java.time.Instant;

/**
 * A Kafka record waiting in the outbox; {@code id} is null until stored. {@code leasedUntil} is set for the
 * dispatch of a local node: the sweep leaves the row alone until then.
 */
public record OutboxMessage(Long id, String topic, String key, String payload, Instant leasedUntil) {

    public OutboxMessage(Long id, String topic, String key, String payload) {
        this(id, topic, key, payload, null);
    }

    public OutboxMessage withId(long newId) {
        return new OutboxMessage(newId, topic, key, payload, leasedUntil);
    }

    public boolean leased() {
        return leasedUntil != null;
    }
}
