package dev.capstan.run.service.compat;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Queries on {@code compat_step_workflows}, the Operativus authoring view of step-list workflows. It lives
 * beside the compat service rather than in {@code repository/} so the compatible surfaces stay in their own
 * packages; it uses the reactive client like {@code RunRepository}.
 */
@ApplicationScoped
public class StepWorkflowStore {

    /** One live authoring row; {@code stepsJson} is the JSON array of stored steps. */
    public record StoredStepWorkflow(String workflowId, String name, String description, String stepsJson, Instant createdAt,
                                     Instant updatedAt) {
    }

    private static final String COLUMNS = "workflow_id, name, description, steps::text AS steps, created_at, updated_at";

    private final Pool pool;

    public StepWorkflowStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> insert(String tenantId, String workflowId, String name, String description, String stepsJson, Instant now) {
        return pool.preparedQuery("INSERT INTO compat_step_workflows (tenant_id, workflow_id, name, description, steps, created_at, "
                        + "updated_at) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $6)")
                .execute(Tuple.of(tenantId, workflowId, name, description, stepsJson, utc(now)))
                .replaceWithVoid();
    }

    public Uni<StoredStepWorkflow> find(String tenantId, String workflowId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM compat_step_workflows WHERE tenant_id = $1 AND workflow_id = $2 "
                        + "AND deleted_at IS NULL")
                .execute(Tuple.of(tenantId, workflowId))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /** Writes a new state of the row; false when it is gone (deleted meanwhile). */
    public Uni<Boolean> update(String tenantId, String workflowId, String name, String description, String stepsJson, Instant now) {
        return pool.preparedQuery("UPDATE compat_step_workflows SET name = $3, description = $4, steps = $5::text::jsonb, updated_at = $6 "
                        + "WHERE tenant_id = $1 AND workflow_id = $2 AND deleted_at IS NULL")
                .execute(Tuple.of(tenantId, workflowId, name, description, stepsJson, utc(now)))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Boolean> markDeleted(String tenantId, String workflowId, Instant now) {
        return pool.preparedQuery("UPDATE compat_step_workflows SET deleted_at = $3 WHERE tenant_id = $1 AND workflow_id = $2 "
                        + "AND deleted_at IS NULL")
                .execute(Tuple.of(tenantId, workflowId, utc(now)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Newest first. */
    public Uni<List<StoredStepWorkflow>> page(String tenantId, long offset, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM compat_step_workflows WHERE tenant_id = $1 AND deleted_at IS NULL "
                        + "ORDER BY created_at DESC, workflow_id OFFSET $2 LIMIT $3")
                .execute(Tuple.of(tenantId, offset, limit))
                .map(rows -> {
                    List<StoredStepWorkflow> page = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        page.add(row(r));
                    }
                    return page;
                });
    }

    public Uni<Long> count(String tenantId) {
        return pool.preparedQuery("SELECT count(*) AS n FROM compat_step_workflows WHERE tenant_id = $1 AND deleted_at IS NULL")
                .execute(Tuple.of(tenantId))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    private static StoredStepWorkflow row(Row r) {
        return new StoredStepWorkflow(r.getString("workflow_id"), r.getString("name"), r.getString("description"),
                r.getString("steps"), r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
