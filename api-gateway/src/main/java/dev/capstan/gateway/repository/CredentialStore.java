package dev.capstan.gateway.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Set;

/**
 * The reads of the request path, on the reactive SQL client: they run inside a Vert.x route handler,
 * outside any Hibernate Reactive session, and need one indexed query each.
 */
@ApplicationScoped
public class CredentialStore {

    /** An API key with its tenant's stored rate limit (nulls when the tenant has none). */
    public record StoredKey(String id, String tenantId, String keyHash, Set<String> scopes, boolean testMode,
                            OffsetDateTime expiresAt, OffsetDateTime revokedAt, Long rateCapacity, Double rateRefillPerSecond) {
    }

    /** A tenant as the request path needs it. */
    public record StoredTenant(String id, Long rateCapacity, Double rateRefillPerSecond) {
    }

    private final Pool pool;

    public CredentialStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<StoredKey>> findKeyByHash(String keyHash) {
        return pool.preparedQuery("""
                        SELECT k.id, k.tenant_id, k.key_hash, k.scopes, k.test_mode, k.expires_at, k.revoked_at,
                               t.rate_capacity, t.rate_refill_per_second
                        FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                        WHERE k.key_hash = $1""")
                .execute(Tuple.of(keyHash))
                .map(CredentialStore::firstKey);
    }

    public Uni<Optional<StoredTenant>> findTenant(String tenantId) {
        return pool.preparedQuery("SELECT id, rate_capacity, rate_refill_per_second FROM tenants WHERE id = $1")
                .execute(Tuple.of(tenantId))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.empty();
                    }
                    Row row = it.next();
                    return Optional.of(new StoredTenant(row.getString("id"), row.getLong("rate_capacity"),
                            row.getDouble("rate_refill_per_second")));
                });
    }

    private static Optional<StoredKey> firstKey(RowSet<Row> rows) {
        var it = rows.iterator();
        if (!it.hasNext()) {
            return Optional.empty();
        }
        Row row = it.next();
        return Optional.of(new StoredKey(row.getString("id"), row.getString("tenant_id"), row.getString("key_hash"),
                Set.of(row.getArrayOfStrings("scopes")), row.getBoolean("test_mode"),
                row.getOffsetDateTime("expires_at"), row.getOffsetDateTime("revoked_at"),
                row.getLong("rate_capacity"), row.getDouble("rate_refill_per_second")));
    }
}
