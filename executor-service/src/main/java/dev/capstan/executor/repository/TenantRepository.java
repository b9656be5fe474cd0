package dev.capstan.executor.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Queries on {@code tenant_secrets} (sealed values only) and {@code tenant_policy}. */
@ApplicationScoped
public class TenantRepository {

    public record SealedSecret(String name, byte[] nonce, byte[] ciphertext, String keyId) {
    }

    public record StoredPolicy(Boolean allowExec, Boolean allowPrivateTargets) {
    }

    private final Pool pool;

    public TenantRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<SealedSecret>> secrets(String tenantId) {
        return pool.preparedQuery("SELECT name, nonce, ciphertext, key_id FROM tenant_secrets WHERE tenant_id = $1")
                .execute(Tuple.of(tenantId))
                .map(rows -> {
                    List<SealedSecret> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new SealedSecret(r.getString("name"), r.getBuffer("nonce").getBytes(),
                                r.getBuffer("ciphertext").getBytes(), r.getString("key_id")));
                    }
                    return out;
                });
    }

    /** Names only, sorted, at most {@code limit}. */
    public Uni<List<String>> secretNames(String tenantId, int limit) {
        return pool.preparedQuery("SELECT name FROM tenant_secrets WHERE tenant_id = $1 ORDER BY name LIMIT $2")
                .execute(Tuple.of(tenantId, limit))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString("name")));
                    return out;
                });
    }

    public Uni<Void> putSecret(String tenantId, String name, byte[] nonce, byte[] ciphertext, String keyId) {
        return pool.preparedQuery("""
                        INSERT INTO tenant_secrets (tenant_id, name, nonce, ciphertext, key_id) VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT (tenant_id, name) DO UPDATE SET nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext,
                               key_id = EXCLUDED.key_id, updated_at = now()""")
                .execute(Tuple.of(tenantId, name, io.vertx.core.buffer.Buffer.buffer(nonce),
                        io.vertx.core.buffer.Buffer.buffer(ciphertext), keyId))
                .replaceWithVoid();
    }

    /** True when a secret was deleted. */
    public Uni<Boolean> deleteSecret(String tenantId, String name) {
        return pool.preparedQuery("DELETE FROM tenant_secrets WHERE tenant_id = $1 AND name = $2")
                .execute(Tuple.of(tenantId, name))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Optional<StoredPolicy>> policy(String tenantId) {
        return pool.preparedQuery("SELECT allow_exec, allow_private_targets FROM tenant_policy WHERE tenant_id = $1")
                .execute(Tuple.of(tenantId))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.<StoredPolicy>empty();
                    }
                    Row r = it.next();
                    return Optional.of(new StoredPolicy(r.getBoolean("allow_exec"), r.getBoolean("allow_private_targets")));
                });
    }

    public Uni<Void> putPolicy(String tenantId, Boolean allowExec, Boolean allowPrivateTargets) {
        return pool.preparedQuery("""
                        INSERT INTO tenant_policy (tenant_id, allow_exec, allow_private_targets) VALUES ($1, $2, $3)
                        ON CONFLICT (tenant_id) DO UPDATE SET allow_exec = EXCLUDED.allow_exec,
                               allow_private_targets = EXCLUDED.allow_private_targets, updated_at = now()""")
                .execute(Tuple.of(tenantId, allowExec, allowPrivateTargets))
                .replaceWithVoid();
    }
}
