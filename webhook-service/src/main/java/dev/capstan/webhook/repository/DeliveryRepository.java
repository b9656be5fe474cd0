package dev.capstan.webhook.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Delivery records: one per (webhook, run, sequence), claimed before the attempt. */
@ApplicationScoped
public class DeliveryRepository {

    private final Pool pool;

    public DeliveryRepository(Pool pool) {
        this.pool = pool;
    }

    /** Claims the event for the webhook; false when it was claimed before (by this or another replica). */
    public Uni<Boolean> claim(String webhookId, String runId, long sequence, String eventType, Instant at) {
        return pool.preparedQuery("INSERT INTO webhook_deliveries (webhook_id, run_id, sequence, event_type, outcome, attempted_at) "
                        + "VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(webhookId, runId, sequence, eventType, utc(at)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Records how the claimed attempt ended: {@code delivered}, {@code failed} or {@code skipped}. */
    public Uni<Void> finish(String webhookId, String runId, long sequence, String outcome, Integer statusCode, String error,
                            Instant at) {
        return pool.preparedQuery("UPDATE webhook_deliveries SET outcome = $4, status_code = $5, error = $6, attempted_at = $7 "
                        + "WHERE webhook_id = $1 AND run_id = $2 AND sequence = $3")
                .execute(Tuple.tuple(java.util.Arrays.asList(webhookId, runId, sequence, outcome, statusCode, error, utc(at))))
                .replaceWithVoid();
    }

    /** Failed attempts to the webhook since {@code since}. */
    public Uni<Long> failuresSince(String webhookId, Instant since) {
        return pool.preparedQuery("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND outcome = 'failed' "
                        + "AND attempted_at > $2")
                .execute(Tuple.of(webhookId, utc(since)))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Deletes up to {@code limit} records older than {@code before}; returns how many went. */
    public Uni<Integer> purge(Instant before, int limit) {
        return pool.preparedQuery("DELETE FROM webhook_deliveries WHERE ctid IN (SELECT ctid FROM webhook_deliveries "
                        + "WHERE attempted_at < $1 LIMIT $2)")
                .execute(Tuple.of(utc(before), limit))
                .map(rows -> rows.rowCount());
    }

    static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }
}
