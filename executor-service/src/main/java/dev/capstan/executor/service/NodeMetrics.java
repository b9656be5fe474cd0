package dev.capstan.executor.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor's meters. Tags are low-cardinality: {@code node_type} is a registered type id or
 * {@code unknown}, {@code outcome} one of the four result outcomes; never a run or tenant id.
 */
public final class NodeMetrics {

    private final MeterRegistry registry;
    private final Set<String> knownTypes;
    private final AtomicInteger inFlight;

    public NodeMetrics(MeterRegistry registry, Set<String> knownTypes, String instance) {
        this.registry = registry;
        this.knownTypes = knownTypes;
        this.inFlight = registry.gauge("capstan.node.in_flight", java.util.List.of(
                io.micrometer.core.instrument.Tag.of("instance_role", instance.equals("default") ? "default" : "extra")),
                new AtomicInteger());
    }

    private String type(String typeId) {
        return knownTypes.contains(typeId) ? typeId : "unknown";
    }

    public void started() {
        inFlight.incrementAndGet();
    }

    public void finished() {
        inFlight.decrementAndGet();
    }

    public void dispatchLag(String typeId, long lagMs) {
        Timer.builder("capstan.node.dispatch.lag").tag("node_type", type(typeId))
                .register(registry).record(Duration.ofMillis(Math.max(0, lagMs)));
    }

    public void duration(String typeId, String outcome, long ms) {
        Timer.builder("capstan.node.duration").tag("node_type", type(typeId)).tag("outcome", outcome)
                .register(registry).record(Duration.ofMillis(ms));
    }

    public void failure(String typeId, boolean retryable) {
        Counter.builder("capstan.node.failures").tag("node_type", type(typeId)).tag("retryable", String.valueOf(retryable))
                .register(registry).increment();
    }

    /** A cancel command arrived: {@code cancelled} when it stopped an attempt here, else {@code not_running}. */
    public void cancelReceived(boolean cancelledHere) {
        Counter.builder("capstan.node.cancels").tag("outcome", cancelledHere ? "cancelled" : "not_running")
                .register(registry).increment();
    }

    public void replayed(String typeId) {
        Counter.builder("capstan.node.replayed").tag("node_type", type(typeId)).register(registry).increment();
    }
}
