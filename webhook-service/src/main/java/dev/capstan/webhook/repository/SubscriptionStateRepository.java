package dev.capstan.webhook.repository;

import dev.capstan.webhook.service.Subscription;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The dispatcher's reads and writes of subscriptions: active ones of a tenant, circuit counters, status. */
@ApplicationScoped
public class SubscriptionStateRepository {

    /** A subscription's delivery state; {@code openUntil} null when never opened. */
    public record CircuitState(String status, int consecutiveFailures, Instant openUntil) {
    }

    private final Pool pool;

    public SubscriptionStateRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Subscription>> active(String tenantId) {
        return pool.preparedQuery("SELECT id, tenant_id, url, event_types, tags, secret, created_at FROM webhook_subscriptions "
                        + "WHERE tenant_id = $1 AND status = 'active'")
                .execute(Tuple.of(tenantId))
                .map(rows -> {
                    List<Subscription> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Subscription(r.getString("id"), r.getString("tenant_id"), r.getString("url"),
                                Set.of(r.getArrayOfStrings("event_types")), Set.of(r.getArrayOfStrings("tags")),
                                r.getString("secret"), r.getOffsetDateTime("created_at").toInstant()));
                    }
                    return out;
                });
    }

    /** The subscription's state now, or null when it was deleted. */
    public Uni<CircuitState> state(String webhookId) {
        return pool.preparedQuery("SELECT status, consecutive_failures, circuit_open_until FROM webhook_subscriptions WHERE id = $1")
                .execute(Tuple.of(webhookId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    OffsetDateTime until = r.getOffsetDateTime("circuit_open_until");
                    return new CircuitState(r.getString("status"), r.getInteger("consecutive_failures"),
                            until == null ? null : until.toInstant());
                });
    }

    /**
     * Takes the half-open probe: moves the open period to {@code reopenUntil} if it had ended by {@code now}.
     * Only one caller wins, so concurrent events are skipped while the probe is out.
     */
    public Uni<Boolean> takeProbe(String webhookId, int threshold, Instant now, Instant reopenUntil) {
        return pool.preparedQuery("UPDATE webhook_subscriptions SET circuit_open_until = $4 WHERE id = $1 AND status = 'active' "
                        + "AND consecutive_failures >= $2 AND (circuit_open_until IS NULL OR circuit_open_until <= $3)")
                .execute(Tuple.of(webhookId, threshold, DeliveryRepository.utc(now), DeliveryRepository.utc(reopenUntil)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** A successful attempt closes the circuit. */
    public Uni<Void> succeeded(String webhookId) {
        return pool.preparedQuery("UPDATE webhook_subscriptions SET consecutive_failures = 0, circuit_open_until = NULL "
                        + "WHERE id = $1 AND (consecutive_failures <> 0 OR circuit_open_until IS NOT NULL)")
                .execute(Tuple.of(webhookId))
                .replaceWithVoid();
    }

    /**
     * Counts a failed attempt; reaching the threshold (or failing a probe) opens the circuit until
     * {@code openUntil}. Returns the consecutive failures after this one (0 when the subscription is gone).
     */
    public Uni<Integer> failed(String webhookId, int threshold, Instant openUntil) {
        return pool.preparedQuery("UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1, "
                        + "circuit_open_until = CASE WHEN consecutive_failures + 1 >= $2 THEN $3 ELSE circuit_open_until END "
                        + "WHERE id = $1 RETURNING consecutive_failures")
                .execute(Tuple.of(webhookId, threshold, DeliveryRepository.utc(openUntil)))
                .map(rows -> rows.size() == 0 ? 0 : rows.iterator().next().getInteger(0));
    }

    /** Stops deliveries to the subscription for good; true when this call changed it. */
    public Uni<Boolean> markFailed(String webhookId) {
        return pool.preparedQuery("UPDATE webhook_subscriptions SET status = 'failed' WHERE id = $1 AND status = 'active'")
                .execute(Tuple.of(webhookId))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Active subscriptions whose circuit is open or half-open, for the gauge. */
    public Uni<Long> countTripped(int threshold) {
        return pool.preparedQuery("SELECT count(*) FROM webhook_subscriptions WHERE status = 'active' AND consecutive_failures >= $1")
                .execute(Tuple.of(threshold))
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
