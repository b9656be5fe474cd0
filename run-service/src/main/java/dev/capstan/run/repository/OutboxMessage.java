package dev.capstan.run.repository;

/** A Kafka record waiting in the outbox; {@code id} is null until stored. */
public record OutboxMessage(Long id, String topic, String key, String payload) {

    public OutboxMessage withId(long newId) {
        return new OutboxMessage(newId, topic, key, payload);
    }
}
