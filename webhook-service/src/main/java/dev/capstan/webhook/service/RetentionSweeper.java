package dev.capstan.webhook.service;

import dev.capstan.webhook.config.WebhookConfig;
import dev.capstan.webhook.repository.DeliveryRepository;
import dev.capstan.webhook.repository.KnownRunRepository;
import dev.capstan.webhook.repository.SubscriptionStateRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Keeps the dispatcher's tables small: delivery records older than the retention (never less than the failure
 * window, which counts them) and runs whose end was never seen are deleted; also refreshes the tripped-circuit
 * gauge. Every replica runs it; the deletes are idempotent.
 */
@ApplicationScoped
public class RetentionSweeper {

    private static final Logger LOG = Logger.getLogger(RetentionSweeper.class);
    private static final int BATCH = 10_000;

    private final DeliveryRepository deliveries;
    private final KnownRunRepository runs;
    private final SubscriptionStateRepository subscriptions;
    private final DeliveryMetrics metrics;
    private final WebhookConfig config;
    private final Vertx vertx;
    private final Clock clock;
    private long timer = -1;

    public RetentionSweeper(DeliveryRepository deliveries, KnownRunRepository runs, SubscriptionStateRepository subscriptions,
                            DeliveryMetrics metrics, WebhookConfig config, Vertx vertx, Clock clock) {
        this.deliveries = deliveries;
        this.runs = runs;
        this.subscriptions = subscriptions;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
        this.clock = clock;
    }

    void start(@Observes StartupEvent start) {
        // The first sweep soon after start, so the gauge is right without waiting an interval.
        timer = vertx.setPeriodic(Math.min(10_000, config.retention().purgeInterval().toMillis()),
                config.retention().purgeInterval().toMillis(), id -> sweep().subscribe().with(
                        ok -> { }, e -> LOG.warnf("Webhook retention sweep failed: %s", e.getMessage())));
    }

    void stop(@Observes ShutdownEvent stop) {
        vertx.cancelTimer(timer);
    }

    public Uni<Void> sweep() {
        Instant now = clock.instant();
        Duration keep = config.retention().deliveries().compareTo(config.breaker().failureWindow()) >= 0
                ? config.retention().deliveries() : config.breaker().failureWindow();
        return purgeDeliveries(now.minus(keep))
                .chain(() -> runs.purge(now.minus(config.retention().runs())))
                .chain(() -> subscriptions.countTripped(config.breaker().failureThreshold()))
                .invoke(metrics::tripped)
                .replaceWithVoid();
    }

    private Uni<Void> purgeDeliveries(Instant before) {
        return deliveries.purge(before, BATCH).flatMap(n -> n < BATCH ? Uni.createFrom().voidItem() : purgeDeliveries(before));
    }
}
