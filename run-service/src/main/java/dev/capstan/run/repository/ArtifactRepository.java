package dev.capstan.run.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads of {@code run_artifacts}; the rows are written by {@link RunRepository#commitStep} with the step that made them. */
@ApplicationScoped
public class ArtifactRepository {

    private static final String COLUMNS = "tenant_id, run_id, artifact_id, version, artifact_type, node_id, summary, "
            + "content::text AS content, created_at";

    private final Pool pool;

    public ArtifactRepository(Pool pool) {
        this.pool = pool;
    }

    /** The newest version of a tenant's artifact, or null (another tenant's artifact is null as well). */
    public Uni<ArtifactRow> latest(String tenantId, String runId, String artifactId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM run_artifacts WHERE run_id = $1 AND artifact_id = $2 "
                        + "AND tenant_id = $3 ORDER BY version DESC LIMIT 1")
                .execute(Tuple.of(runId, artifactId, tenantId))
                .map(ArtifactRepository::first);
    }

    /** One version of a tenant's artifact, or null. */
    public Uni<ArtifactRow> version(String tenantId, String runId, String artifactId, long version) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM run_artifacts WHERE run_id = $1 AND artifact_id = $2 "
                        + "AND version = $3 AND tenant_id = $4")
                .execute(Tuple.of(runId, artifactId, version, tenantId))
                .map(ArtifactRepository::first);
    }

    private static ArtifactRow first(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row r = rows.iterator().next();
        return new ArtifactRow(r.getString("tenant_id"), r.getString("run_id"), r.getString("artifact_id"), r.getLong("version"),
                r.getString("artifact_type"), r.getString("node_id"), r.getString("summary"), r.getString("content"),
                r.getOffsetDateTime("created_at").toInstant());
    }
}
