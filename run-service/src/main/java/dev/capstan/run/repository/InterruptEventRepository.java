package dev.capstan.run.repository;

import dev.capstan.run.service.JsonCodec;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Reads of the event log about interrupts: what the latest one of a node asked for, and when. */
@ApplicationScoped
public class InterruptEventRepository {

    /** The node's latest {@code interrupt.requested} payload and the {@code node.suspended} that gave it its id. */
    public record RequestedInterrupt(Map<String, Object> requested, Map<String, Object> suspended) {
    }

    private final Pool pool;
    private final JsonCodec json;

    public InterruptEventRepository(Pool pool, JsonCodec json) {
        this.pool = pool;
        this.json = json;
    }

    /** The node's most recent interrupt request, or null when it never asked for one. */
    public Uni<RequestedInterrupt> latest(String runId, String nodeId) {
        return pool.preparedQuery("SELECT type, payload::text AS payload FROM run_events WHERE run_id = $1 AND node_id = $2 "
                        + "AND type IN ('interrupt.requested', 'node.suspended') ORDER BY sequence DESC LIMIT 2")
                .execute(Tuple.of(runId, nodeId))
                .map(rows -> {
                    Map<String, Object> requested = null;
                    Map<String, Object> suspended = null;
                    for (Row r : rows) {
                        if ("node.suspended".equals(r.getString("type")) && suspended == null && requested == null) {
                            suspended = json.readMap(r.getString("payload"));
                        } else if ("interrupt.requested".equals(r.getString("type")) && requested == null) {
                            requested = json.readMap(r.getString("payload"));
                        }
                    }
                    return requested == null || suspended == null ? null : new RequestedInterrupt(requested, suspended);
                });
    }
}
