package dev.capstan.webhook.repository;

import dev.capstan.webhook.service.EventRouting.KnownRun;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** Runs the dispatcher has seen start (tags, fork boundary), keyed by tenant and run. */
@ApplicationScoped
public class KnownRunRepository {

    private final Pool pool;

    public KnownRunRepository(Pool pool) {
        this.pool = pool;
    }

    /** The run, or null when its start was not seen (or it was purged). */
    public Uni<KnownRun> find(String tenantId, String runId) {
        return pool.preparedQuery("SELECT tags, live_from_sequence FROM webhook_runs WHERE tenant_id = $1 AND run_id = $2")
                .execute(Tuple.of(tenantId, runId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new KnownRun(List.of(r.getArrayOfStrings("tags")), r.getLong("live_from_sequence"));
                });
    }

    public Uni<Void> remember(String tenantId, String runId, KnownRun run, Instant at) {
        return pool.preparedQuery("INSERT INTO webhook_runs (tenant_id, run_id, tags, live_from_sequence, recorded_at) "
                        + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, run_id) DO UPDATE SET tags = EXCLUDED.tags, "
                        + "live_from_sequence = GREATEST(webhook_runs.live_from_sequence, EXCLUDED.live_from_sequence), "
                        + "recorded_at = EXCLUDED.recorded_at")
                .execute(Tuple.of(tenantId, runId, run.tags().toArray(String[]::new), run.liveFromSequence(),
                        DeliveryRepository.utc(at)))
                .replaceWithVoid();
    }

    public Uni<Void> forget(String tenantId, String runId) {
        return pool.preparedQuery("DELETE FROM webhook_runs WHERE tenant_id = $1 AND run_id = $2")
                .execute(Tuple.of(tenantId, runId))
                .replaceWithVoid();
    }

    public Uni<Integer> purge(Instant before) {
        return pool.preparedQuery("DELETE FROM webhook_runs WHERE recorded_at < $1")
                .execute(Tuple.of(DeliveryRepository.utc(before)))
                .map(rows -> rows.rowCount());
    }
}
