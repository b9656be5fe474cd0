package dev.capstan.run.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads stored definitions for the run engine. It uses the plain reactive client rather than Panache
 * because the engine calls it from Kafka and timer threads, outside any Hibernate session.
 */
@ApplicationScoped
public class DefinitionStore {

    /** One stored definition version as JSON text. */
    public record StoredDefinition(String workflowId, int version, String format, String text) {
    }

    private final Pool pool;

    public DefinitionStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<StoredDefinition> latest(String tenantId, String workflowId) {
        return pool.preparedQuery("SELECT workflow_id, version, format, COALESCE(source, definition::text) AS text FROM workflow_definitions "
                        + "WHERE tenant_id = $1 AND workflow_id = $2 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1")
                .execute(Tuple.of(tenantId, workflowId))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    public Uni<StoredDefinition> version(String tenantId, String workflowId, int version) {
        return pool.preparedQuery("SELECT workflow_id, version, format, COALESCE(source, definition::text) AS text FROM workflow_definitions "
                        + "WHERE tenant_id = $1 AND workflow_id = $2 AND version = $3")
                .execute(Tuple.of(tenantId, workflowId, version))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    private static StoredDefinition stored(Row r) {
        return new StoredDefinition(r.getString("workflow_id"), r.getInteger("version"), r.getString("format"), r.getString("text"));
    }
}
