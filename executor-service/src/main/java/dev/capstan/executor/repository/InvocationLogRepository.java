package dev.capstan.executor.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Queries on {@code invocation_log}; every state change is one conditional statement, so racing instances agree. */
@ApplicationScoped
public class InvocationLogRepository {

    /** A row as stored: {@code result} is the recorded result message as JSON, set once completed. */
    public record Entry(String invocationId, String state, String owner, boolean leaseExpired, int executions,
                        JsonObject result) {
        public boolean completed() {
            return "completed".equals(state);
        }
    }

    private final Pool pool;

    public InvocationLogRepository(Pool pool) {
        this.pool = pool;
    }

    /** Inserts a running row owned by {@code owner}; true when this call created it. */
    public Uni<Boolean> claimNew(String invocationId, String tenantId, String runId, String nodeId, int attempt,
                                 String typeId, String owner, long leaseMs) {
        return pool.preparedQuery("""
                        INSERT INTO invocation_log (invocation_id, tenant_id, run_id, node_id, attempt, type_id, state, owner,
                                                    lease_until)
                        VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, now() + make_interval(secs => $8::double precision / 1000))
                        ON CONFLICT (invocation_id) DO NOTHING""")
                .execute(Tuple.from(List.of(invocationId, tenantId, runId, nodeId, attempt, typeId, owner, (double) leaseMs)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Takes over a running row whose lease expired (its owner died or handed it back); true when it is now ours. */
    public Uni<Boolean> takeOver(String invocationId, String owner, long leaseMs) {
        return pool.preparedQuery("""
                        UPDATE invocation_log SET owner = $2, executions = executions + 1,
                               lease_until = now() + make_interval(secs => $3::double precision / 1000)
                        WHERE invocation_id = $1 AND state = 'running' AND lease_until < now()""")
                .execute(Tuple.of(invocationId, owner, (double) leaseMs))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Optional<Entry>> find(String invocationId) {
        return pool.preparedQuery("""
                        SELECT invocation_id, state, owner, lease_until < now() AS expired, executions, result
                        FROM invocation_log WHERE invocation_id = $1""")
                .execute(Tuple.of(invocationId))
                .map(InvocationLogRepository::first);
    }

    /** Records the result; only the owner may, so a result from an instance that lost its lease is dropped. */
    public Uni<Boolean> complete(String invocationId, String owner, Map<String, Object> result) {
        return pool.preparedQuery("""
                        UPDATE invocation_log SET state = 'completed', result = $3, completed_at = now(), lease_until = NULL
                        WHERE invocation_id = $1 AND owner = $2 AND state = 'running'""")
                .execute(Tuple.of(invocationId, owner, new JsonObject(result)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Extends the leases of everything this instance is still running. */
    public Uni<Integer> renew(String owner, List<String> invocationIds, long leaseMs) {
        if (invocationIds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery("""
                        UPDATE invocation_log SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
                        WHERE owner = $1 AND state = 'running' AND invocation_id = ANY($2)""")
                .execute(Tuple.of(owner, invocationIds.toArray(String[]::new), (double) leaseMs))
                .map(RowSet::rowCount);
    }

    /** Hands running invocations back at once, so another instance takes them over without waiting for the lease. */
    public Uni<Integer> release(String owner, List<String> invocationIds) {
        if (invocationIds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery("""
                        UPDATE invocation_log SET lease_until = now() - interval '1 second'
                        WHERE owner = $1 AND state = 'running' AND invocation_id = ANY($2)""")
                .execute(Tuple.of(owner, invocationIds.toArray(String[]::new)))
                .map(RowSet::rowCount);
    }

    private static Optional<Entry> first(RowSet<Row> rows) {
        var it = rows.iterator();
        if (!it.hasNext()) {
            return Optional.empty();
        }
        Row r = it.next();
        Boolean expired = r.getBoolean("expired");
        Object result = r.getValue("result");
        return Optional.of(new Entry(r.getString("invocation_id"), r.getString("state"), r.getString("owner"),
                expired != null && expired, r.getInteger("executions"),
                result instanceof JsonObject j ? j : null));
    }
}
