package dev.capstan.webhook.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.capstan.webhook.client.WebhookHttpClient;
import dev.capstan.webhook.config.WebhookConfig;
import dev.capstan.webhook.messaging.RunEventsMessage;
import dev.capstan.webhook.messaging.RunEventsMessage.Event;
import dev.capstan.webhook.repository.DeliveryRepository;
import dev.capstan.webhook.repository.KnownRunRepository;
import dev.capstan.webhook.repository.SubscriptionStateRepository;
import dev.capstan.webhook.service.EventRouting.EventDeliveries;
import dev.capstan.webhook.service.EventRouting.Plan;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Delivers the events of one {@code capstan.run.events} record to the tenant's matching subscriptions, OpenWOP
 * v1 best effort: at most one attempt per (webhook, run, sequence) — claimed in the database before it is made,
 * so a record seen again sends nothing twice — no retry, and a per-endpoint circuit breaker. A run's events go
 * out in sequence order; one event goes to its subscriptions concurrently.
 */
@ApplicationScoped
public class DeliveryService {

    private static final Logger LOG = Logger.getLogger(DeliveryService.class);

    private final SubscriptionStateRepository subscriptions;
    private final ActiveSubscriptions activeSubscriptions;
    private final KnownRunRepository runs;
    private final DeliveryRepository deliveries;
    private final WebhookHttpClient http;
    private final DeliveryMetrics metrics;
    private final WebhookConfig.Breaker breaker;
    private final String userAgent;
    private final ObjectMapper json;
    private final Clock clock;

    public DeliveryService(SubscriptionStateRepository subscriptions, ActiveSubscriptions activeSubscriptions,
                           KnownRunRepository runs, DeliveryRepository deliveries, WebhookHttpClient http,
                           DeliveryMetrics metrics, WebhookConfig config, ObjectMapper json, Clock clock) {
        this.subscriptions = subscriptions;
        this.activeSubscriptions = activeSubscriptions;
        this.runs = runs;
        this.deliveries = deliveries;
        this.http = http;
        this.metrics = metrics;
        this.breaker = config.breaker();
        this.userAgent = "openwop-webhook-dispatcher/" + config.delivery().dispatcherVersion();
        this.json = json;
        this.clock = clock;
    }

    /**
     * A tenant without active subscriptions costs no query: nothing is remembered about its runs either, so a
     * tag-filtered webhook registered later does not get events of runs that had started before it.
     */
    public Uni<Void> handle(RunEventsMessage message) {
        return activeSubscriptions.of(message.tenantId()).flatMap(active -> active.isEmpty() ? Uni.createFrom().voidItem()
                : runs.find(message.tenantId(), message.runId())
                        .map(known -> EventRouting.plan(message, known, active))
                        .flatMap(plan -> perform(message, plan)));
    }

    private Uni<Void> perform(RunEventsMessage message, Plan plan) {
        return remember(message, plan)
                        .chain(() -> Multi.createFrom().iterable(plan.deliveries())
                                .onItem().transformToUniAndConcatenate(d -> deliverEvent(message, d))
                                .collect().last())
                        .chain(() -> plan.forget() ? runs.forget(message.tenantId(), message.runId()) : Uni.createFrom().voidItem());
    }

    private Uni<Void> remember(RunEventsMessage message, Plan plan) {
        return plan.remember() == null ? Uni.createFrom().voidItem()
                : runs.remember(message.tenantId(), message.runId(), plan.remember(), clock.instant());
    }

    private Uni<Void> deliverEvent(RunEventsMessage message, EventDeliveries d) {
        List<Uni<Void>> each = d.subscriptions().stream().map(s -> deliver(message, d.event(), s)).toList();
        return Uni.join().all(each).andFailFast().replaceWithVoid();
    }

    private Uni<Void> deliver(RunEventsMessage message, Event event, Subscription s) {
        return deliveries.claim(s.id(), message.runId(), event.sequence(), event.type(), clock.instant()).flatMap(claimed -> {
            if (!claimed) {
                metrics.delivery("duplicate");
                return Uni.createFrom().voidItem();
            }
            return gate(s).flatMap(circuit -> {
                if (circuit == Circuit.OPEN) {
                    metrics.delivery("skipped");
                    return deliveries.finish(s.id(), message.runId(), event.sequence(), "skipped", null,
                            "circuit open or subscription inactive", clock.instant());
                }
                return attempt(message, event, s, circuit == Circuit.HALF_OPEN);
            });
        });
    }

    /** CLOSED or HALF_OPEN (this call holds the probe) to send; OPEN to skip (also for a gone or failed subscription). */
    private Uni<Circuit> gate(Subscription s) {
        return subscriptions.state(s.id()).flatMap(state -> {
            if (state == null || !"active".equals(state.status())) {
                return Uni.createFrom().item(Circuit.OPEN);
            }
            Instant now = clock.instant();
            Circuit circuit = Circuit.of(state.consecutiveFailures(), state.openUntil(), breaker.failureThreshold(), now);
            if (circuit != Circuit.HALF_OPEN) {
                return Uni.createFrom().item(circuit);
            }
            return subscriptions.takeProbe(s.id(), breaker.failureThreshold(), now, now.plus(breaker.openDuration()))
                    .map(won -> {
                        if (won) {
                            metrics.transition(Circuit.HALF_OPEN.label());
                        }
                        return won ? Circuit.HALF_OPEN : Circuit.OPEN;
                    });
        });
    }

    private Uni<Void> attempt(RunEventsMessage message, Event event, Subscription s, boolean probe) {
        long timestamp = clock.instant().getEpochSecond();
        byte[] body = body(message, event);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", userAgent);
        headers.put("X-openwop-Webhook-Id", s.id());
        headers.put("X-openwop-Event-Type", event.type());
        headers.put("X-openwop-Timestamp", Long.toString(timestamp));
        headers.put("X-openwop-Signature", WebhookSignature.sign(s.secret(), timestamp, body));
        headers.put("X-openwop-Signature-Algorithm", WebhookSignature.ALGORITHM);
        return http.post(s.url(), headers, body).flatMap(result -> {
            Instant now = clock.instant();
            if (result.succeeded()) {
                metrics.delivery("delivered");
                return deliveries.finish(s.id(), message.runId(), event.sequence(), "delivered", result.statusCode(), null, now)
                        .chain(() -> subscriptions.succeeded(s.id()))
                        .invoke(() -> {
                            if (probe) {
                                metrics.transition(Circuit.CLOSED.label());
                                LOG.infof("Webhook %s (secret %s): probe delivered, circuit closed", s.id(), fingerprint(s));
                            }
                        });
            }
            metrics.delivery("failed");
            String error = result.error() != null ? result.error() : "HTTP " + result.statusCode();
            return deliveries.finish(s.id(), message.runId(), event.sequence(), "failed", result.statusCode(), result.error(), now)
                    .chain(() -> subscriptions.failed(s.id(), breaker.failureThreshold(), now.plus(breaker.openDuration())))
                    .invoke(consecutive -> {
                        if (probe || consecutive == breaker.failureThreshold()) {
                            metrics.transition(Circuit.OPEN.label());
                            LOG.infof("Webhook %s (secret %s): %d consecutive failures (last: %s), circuit open for %s",
                                    s.id(), fingerprint(s), consecutive, error, breaker.openDuration());
                        }
                    })
                    .chain(() -> deliveries.failuresSince(s.id(), now.minus(breaker.failureWindow())))
                    .chain(failures -> failures < breaker.failureLimit() ? Uni.createFrom().voidItem()
                            : subscriptions.markFailed(s.id()).invoke(changed -> {
                                if (changed) {
                                    metrics.transition("failed");
                                    LOG.warnf("Webhook %s (secret %s): %d failures within %s, subscription marked failed",
                                            s.id(), fingerprint(s), failures, breaker.failureWindow());
                                }
                            }).replaceWithVoid());
        });
    }

    /** {@code {runId, workspaceId, type, event}}; the event is the RunEventDoc exactly as run-service published it. */
    private byte[] body(RunEventsMessage message, Event event) {
        ObjectNode body = json.createObjectNode();
        body.put("runId", message.runId());
        body.put("workspaceId", message.tenantId());
        body.put("type", event.type());
        body.set("event", event.doc());
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A delivery body could not be written", e);
        }
    }

    private static String fingerprint(Subscription s) {
        return WebhookService.fingerprint(s.secret());
    }
}
