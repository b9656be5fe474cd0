package dev.capstan.webhook.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivery metrics, tagged only with low-cardinality values:
 * {@code capstan.webhook.deliveries{outcome}} (delivered, failed, skipped, duplicate),
 * {@code capstan.webhook.circuit.transitions{state}} (open, half_open, closed, failed — the last is a
 * subscription marked failed) and the gauge {@code capstan.webhook.circuits.tripped} (active subscriptions
 * whose circuit is open or half-open, refreshed by the maintenance sweep).
 */
@ApplicationScoped
public class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicLong tripped = new AtomicLong();

    public DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("capstan.webhook.circuits.tripped", tripped);
    }

    public void delivery(String outcome) {
        counters.computeIfAbsent("d:" + outcome, k -> Counter.builder("capstan.webhook.deliveries")
                .description("Webhook deliveries by outcome").tag("outcome", outcome).register(registry)).increment();
    }

    public void transition(String state) {
        counters.computeIfAbsent("t:" + state, k -> Counter.builder("capstan.webhook.circuit.transitions")
                .description("Circuit breaker transitions of webhook endpoints").tag("state", state).register(registry)).increment();
    }

    public void malformedRecord() {
        counters.computeIfAbsent("malformed", k -> Counter.builder("capstan.webhook.records.malformed")
                .description("capstan.run.events records that could not be read").register(registry)).increment();
    }

    public void tripped(long count) {
        tripped.set(count);
    }
}
