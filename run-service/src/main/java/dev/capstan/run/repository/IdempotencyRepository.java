package dev.capstan.run.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Idempotency records: claimed atomically, completed with the response, released when not to be cached. */
@ApplicationScoped
public class IdempotencyRepository {

    /** A stored record; {@code state} is {@code pending} or {@code completed}. */
    public record IdempotencyRecord(String requestDigest, String state, Integer responseStatus, String responseBody,
                                    boolean leaseExpired) {
    }

    private final Pool pool;

    public IdempotencyRepository(Pool pool) {
        this.pool = pool;
    }

    /** Claims the key for this request; false when a record already exists. */
    public Uni<Boolean> claim(String tenantId, String endpoint, String key, String digest) {
        return pool.preparedQuery("INSERT INTO idempotency_records (tenant_id, endpoint, idempotency_key, request_digest, state) "
                        + "VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT DO NOTHING")
                .execute(Tuple.of(tenantId, endpoint, key, digest))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Takes over a pending record whose holder has not finished within the lease. */
    public Uni<Boolean> takeOver(String tenantId, String endpoint, String key, String digest, int leaseSeconds) {
        return pool.preparedQuery("UPDATE idempotency_records SET updated_at = now() WHERE tenant_id = $1 AND endpoint = $2 "
                        + "AND idempotency_key = $3 AND request_digest = $4 AND state = 'pending' "
                        + "AND updated_at < now() - make_interval(secs => $5)")
                .execute(Tuple.of(tenantId, endpoint, key, digest, leaseSeconds))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<IdempotencyRecord> find(String tenantId, String endpoint, String key, int leaseSeconds) {
        return pool.preparedQuery("SELECT request_digest, state, response_status, response_body, "
                        + "updated_at < now() - make_interval(secs => $4) AS lease_expired FROM idempotency_records "
                        + "WHERE tenant_id = $1 AND endpoint = $2 AND idempotency_key = $3")
                .execute(Tuple.of(tenantId, endpoint, key, leaseSeconds))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new IdempotencyRecord(r.getString("request_digest"), r.getString("state"),
                            r.getInteger("response_status"), r.getString("response_body"), r.getBoolean("lease_expired"));
                });
    }

    public Uni<Void> complete(String tenantId, String endpoint, String key, int status, String body) {
        return pool.preparedQuery("UPDATE idempotency_records SET state = 'completed', response_status = $4, response_body = $5, "
                        + "updated_at = now() WHERE tenant_id = $1 AND endpoint = $2 AND idempotency_key = $3")
                .execute(Tuple.of(tenantId, endpoint, key, status, body))
                .replaceWithVoid();
    }

    public Uni<Void> release(String tenantId, String endpoint, String key) {
        return pool.preparedQuery("DELETE FROM idempotency_records WHERE tenant_id = $1 AND endpoint = $2 AND idempotency_key = $3 "
                        + "AND state = 'pending'")
                .execute(Tuple.of(tenantId, endpoint, key))
                .replaceWithVoid();
    }
}
