package dev.capstan.run.repository;

import dev.capstan.run.service.JsonCodec;
import dev.capstan.workflow.event.RunEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
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
 * Queries on runs, their event log, the outbox and timers, through the reactive PostgreSQL client:
 * the hot path batches its statements into one round trip each and never blocks a thread.
 */
@ApplicationScoped
public class RunRepository {

    private final Pool pool;
    private final JsonCodec json;

    public RunRepository(Pool pool, JsonCodec json) {
        this.pool = pool;
        this.json = json;
    }

    /**
     * What one decision writes: a new run row or the advance of an existing one, its events, timers and outbox
     * messages, and the local-node lease.
     */
    public record StepWrite(RunRow newRun, String[] tags, String runId, String tenantId, long expectedLastSequence,
                            long newLastSequence, String status, String snapshotJson, Instant now, Instant localLeaseUntil,
                            List<RunEvent> events, List<TimerRow> timers, List<OutboxMessage> outbox,
                            List<ArtifactRow> artifacts) {

        public StepWrite(RunRow newRun, String[] tags, String runId, String tenantId, long expectedLastSequence,
                         long newLastSequence, String status, String snapshotJson, Instant now, Instant localLeaseUntil,
                         List<RunEvent> events, List<TimerRow> timers, List<OutboxMessage> outbox) {
            this(newRun, tags, runId, tenantId, expectedLastSequence, newLastSequence, status, snapshotJson, now, localLeaseUntil,
                    events, timers, outbox, List.of());
        }
    }

    /** The outcome of {@link #commitStep}: whether the run moved (false: another writer got there first), and the stored outbox rows. */
    public record StepResult(boolean advanced, List<OutboxMessage> outbox) {
    }

    /**
     * Writes a decision in ONE statement (one round trip, atomic like a transaction): data-modifying CTEs for the
     * run row, the events, timers and outbox, each insert gated on the run row having moved, so a lost race writes
     * nothing. The event log's primary key still refuses a second history for the same sequence.
     */
    public Uni<StepResult> commitStep(StepWrite w) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("WITH head AS (");
        if (w.newRun() != null) {
            RunRow run = w.newRun();
            sql.append("INSERT INTO runs (run_id, tenant_id, workflow_id, workflow_version, status, last_sequence, snapshot, ")
                    .append("options, tags, created_at, updated_at, local_lease_until) VALUES (")
                    .append(p(params, run.runId())).append(", ").append(p(params, run.tenantId())).append(", ")
                    .append(p(params, run.workflowId())).append(", ").append(p(params, run.workflowVersion())).append(", ")
                    .append(p(params, run.status())).append(", ").append(p(params, run.lastSequence())).append(", ")
                    .append(p(params, run.snapshotJson())).append("::text::jsonb, ").append(p(params, run.optionsJson()))
                    .append("::text::jsonb, ").append(p(params, w.tags())).append(", ").append(p(params, utc(run.createdAt())))
                    .append(", $").append(params.size()).append(", ")
                    .append(p(params, w.localLeaseUntil() == null ? null : utc(w.localLeaseUntil()))).append("::timestamptz")
                    .append(") RETURNING 1)");
        } else {
            sql.append("UPDATE runs SET last_sequence = ").append(p(params, w.newLastSequence()))
                    .append(", status = ").append(p(params, w.status()))
                    .append(", snapshot = ").append(p(params, w.snapshotJson())).append("::text::jsonb")
                    .append(", updated_at = ").append(p(params, utc(w.now())))
                    .append(", local_lease_until = ").append(p(params, w.localLeaseUntil() == null ? null : utc(w.localLeaseUntil())))
                    .append("::timestamptz WHERE run_id = ").append(p(params, w.runId()))
                    .append(" AND last_sequence = ").append(p(params, w.expectedLastSequence())).append(" RETURNING 1)");
        }
        if (!w.events().isEmpty()) {
            int n = w.events().size();
            Long[] seq = new Long[n];
            String[] ids = new String[n];
            String[] types = new String[n];
            String[] nodes = new String[n];
            String[] payloads = new String[n];
            OffsetDateTime[] times = new OffsetDateTime[n];
            for (int i = 0; i < n; i++) {
                RunEvent e = w.events().get(i);
                seq[i] = e.sequence();
                ids[i] = e.eventId();
                types[i] = e.type();
                nodes[i] = e.nodeId();
                payloads[i] = json.write(e.payload());
                times[i] = utc(e.timestamp());
            }
            sql.append(", ev AS (INSERT INTO run_events (run_id, sequence, tenant_id, event_id, type, node_id, payload, occurred_at) ")
                    .append("SELECT ").append(p(params, w.runId())).append(", u.s, ").append(p(params, w.tenantId()))
                    .append(", u.e, u.t, u.n, u.p::jsonb, u.o FROM unnest(")
                    .append(p(params, seq)).append("::bigint[], ").append(p(params, ids)).append("::text[], ")
                    .append(p(params, types)).append("::text[], ").append(p(params, nodes)).append("::text[], ")
                    .append(p(params, payloads)).append("::text[], ").append(p(params, times)).append("::timestamptz[]) ")
                    .append("AS u(s, e, t, n, p, o) WHERE EXISTS (SELECT 1 FROM head))");
        }
        if (!w.timers().isEmpty()) {
            int n = w.timers().size();
            String[] ids = new String[n];
            String[] kinds = new String[n];
            String[] nodes = new String[n];
            Integer[] attempts = new Integer[n];
            OffsetDateTime[] fireAt = new OffsetDateTime[n];
            for (int i = 0; i < n; i++) {
                TimerRow t = w.timers().get(i);
                ids[i] = t.timerId();
                kinds[i] = t.kind();
                nodes[i] = t.nodeId();
                attempts[i] = t.attempt();
                fireAt[i] = utc(t.fireAt());
            }
            sql.append(", tm AS (INSERT INTO run_timers (run_id, timer_id, kind, node_id, attempt, fire_at) SELECT ")
                    .append(p(params, w.runId())).append(", u.i, u.k, u.n, u.a, u.f FROM unnest(")
                    .append(p(params, ids)).append("::text[], ").append(p(params, kinds)).append("::text[], ")
                    .append(p(params, nodes)).append("::text[], ").append(p(params, attempts)).append("::int[], ")
                    .append(p(params, fireAt)).append("::timestamptz[]) AS u(i, k, n, a, f) ")
                    .append("WHERE EXISTS (SELECT 1 FROM head) ON CONFLICT DO NOTHING)");
        }
        if (!w.artifacts().isEmpty()) {
            appendArtifacts(sql, params, w);
        }
        if (!w.outbox().isEmpty()) {
            int n = w.outbox().size();
            String[] topics = new String[n];
            String[] keys = new String[n];
            String[] payloads = new String[n];
            for (int i = 0; i < n; i++) {
                topics[i] = w.outbox().get(i).topic();
                keys[i] = w.outbox().get(i).key();
                payloads[i] = w.outbox().get(i).payload();
            }
            sql.append(", ob AS (INSERT INTO outbox (topic, record_key, payload) SELECT u.t, u.k, u.p FROM unnest(")
                    .append(p(params, topics)).append("::text[], ").append(p(params, keys)).append("::text[], ")
                    .append(p(params, payloads)).append("::text[]) WITH ORDINALITY AS u(t, k, p, i) ")
                    .append("WHERE EXISTS (SELECT 1 FROM head) ORDER BY u.i RETURNING id)")
                    .append(" SELECT (SELECT count(*) FROM head) AS advanced, (SELECT array_agg(id ORDER BY id) FROM ob) AS ids");
        } else {
            sql.append(" SELECT (SELECT count(*) FROM head) AS advanced, NULL::bigint[] AS ids");
        }
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            Row row = rows.iterator().next();
            boolean advanced = row.getLong("advanced") == 1;
            Long[] ids = row.getArrayOfLongs("ids");
            List<OutboxMessage> stored = new ArrayList<>(w.outbox().size());
            for (int i = 0; advanced && ids != null && i < ids.length; i++) {
                stored.add(w.outbox().get(i).withId(ids[i]));
            }
            return new StepResult(advanced, stored);
        });
    }

    /** Whether a failed write hit a unique key (a run, event or record that another writer inserted first). */
    public static boolean isDuplicateKey(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /** The artifacts of the step, as one more CTE gated on the run row having moved. */
    private static void appendArtifacts(StringBuilder sql, List<Object> params, StepWrite w) {
        int n = w.artifacts().size();
        String[] ids = new String[n];
        Long[] versions = new Long[n];
        String[] types = new String[n];
        String[] nodes = new String[n];
        String[] summaries = new String[n];
        String[] contents = new String[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            ArtifactRow a = w.artifacts().get(i);
            ids[i] = a.artifactId();
            versions[i] = a.version();
            types[i] = a.artifactType();
            nodes[i] = a.nodeId();
            summaries[i] = a.summary();
            contents[i] = a.contentJson();
            created[i] = utc(a.createdAt());
        }
        sql.append(", art AS (INSERT INTO run_artifacts (tenant_id, run_id, artifact_id, version, artifact_type, node_id, summary, ")
                .append("content, created_at) SELECT ").append(p(params, w.tenantId())).append(", ").append(p(params, w.runId()))
                .append(", u.i, u.v, u.t, u.n, u.s, u.c::jsonb, u.o FROM unnest(")
                .append(p(params, ids)).append("::text[], ").append(p(params, versions)).append("::bigint[], ")
                .append(p(params, types)).append("::text[], ").append(p(params, nodes)).append("::text[], ")
                .append(p(params, summaries)).append("::text[], ").append(p(params, contents)).append("::text[], ")
                .append(p(params, created)).append("::timestamptz[]) AS u(i, v, t, n, s, c, o) ")
                .append("WHERE EXISTS (SELECT 1 FROM head))");
    }

    /** Adds a parameter and returns its placeholder. */
    private static String p(List<Object> params, Object value) {
        params.add(value);
        return "$" + params.size();
    }

    public Uni<Void> deleteTimer(String runId, String timerId) {
        return pool.preparedQuery("DELETE FROM run_timers WHERE run_id = $1 AND timer_id = $2")
                .execute(Tuple.of(runId, timerId))
                .replaceWithVoid();
    }

    public Uni<List<TimerRow>> dueTimers(Instant now, int limit) {
        return pool.preparedQuery("SELECT run_id, timer_id, kind, node_id, attempt, fire_at FROM run_timers "
                        + "WHERE fire_at <= $1 ORDER BY fire_at LIMIT $2")
                .execute(Tuple.of(utc(now), limit))
                .map(rows -> {
                    List<TimerRow> due = new ArrayList<>();
                    for (Row r : rows) {
                        due.add(new TimerRow(r.getString("run_id"), r.getString("timer_id"), r.getString("kind"),
                                r.getString("node_id"), r.getInteger("attempt"), r.getOffsetDateTime("fire_at").toInstant()));
                    }
                    return due;
                });
    }

    public Uni<Void> deleteOutbox(List<Long> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("DELETE FROM outbox WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(Long[]::new)))
                .replaceWithVoid();
    }

    /** Outbox rows older than the cut-off: left behind by a replica that stopped between commit and publish. */
    public Uni<List<OutboxMessage>> staleOutbox(Instant olderThan, int limit) {
        return pool.preparedQuery("SELECT id, topic, record_key, payload FROM outbox WHERE created_at < $1 ORDER BY id LIMIT $2")
                .execute(Tuple.of(utc(olderThan), limit))
                .map(rows -> {
                    List<OutboxMessage> stale = new ArrayList<>();
                    for (Row r : rows) {
                        stale.add(new OutboxMessage(r.getLong("id"), r.getString("topic"), r.getString("record_key"), r.getString("payload")));
                    }
                    return stale;
                });
    }

    /** Records how far the run-events topic has each run's events (a batch of runs in one statement). */
    public Uni<Void> markPublished(String[] runIds, Long[] sequences) {
        return pool.preparedQuery("UPDATE runs SET published_sequence = GREATEST(runs.published_sequence, v.seq) "
                        + "FROM unnest($1::text[], $2::bigint[]) AS v(run_id, seq) WHERE runs.run_id = v.run_id")
                .execute(Tuple.of(runIds, sequences))
                .replaceWithVoid();
    }

    /** A run whose events the topic does not have yet, with its tenant and how far the topic has them. */
    public record UnpublishedRun(String runId, String tenantId, long publishedSequence) {
    }

    /** Runs not advanced since the cut-off whose newest events were never published (their replica stopped). */
    public Uni<List<UnpublishedRun>> unpublishedRuns(Instant notUpdatedSince, int limit) {
        return pool.preparedQuery("SELECT run_id, tenant_id, published_sequence FROM runs "
                        + "WHERE published_sequence < last_sequence AND updated_at < $1 ORDER BY updated_at LIMIT $2")
                .execute(Tuple.of(utc(notUpdatedSince), limit))
                .map(rows -> {
                    List<UnpublishedRun> runs = new ArrayList<>();
                    for (Row r : rows) {
                        runs.add(new UnpublishedRun(r.getString("run_id"), r.getString("tenant_id"), r.getLong("published_sequence")));
                    }
                    return runs;
                });
    }

    /** Runs whose local-node lease ran out: the replica running their local nodes stopped. */
    public Uni<List<String>> runsWithExpiredLocalLease(Instant now, int limit) {
        return pool.preparedQuery("SELECT run_id FROM runs WHERE local_lease_until < $1 ORDER BY local_lease_until LIMIT $2")
                .execute(Tuple.of(utc(now), limit))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    for (Row r : rows) {
                        ids.add(r.getString("run_id"));
                    }
                    return ids;
                });
    }

    public Uni<RunRow> find(String tenantId, String runId) {
        return pool.preparedQuery("SELECT * FROM runs WHERE tenant_id = $1 AND run_id = $2")
                .execute(Tuple.of(tenantId, runId))
                .map(rows -> rows.size() == 0 ? null : runRow(rows.iterator().next()));
    }

    public Uni<RunRow> findById(String runId) {
        return pool.preparedQuery("SELECT * FROM runs WHERE run_id = $1")
                .execute(Tuple.of(runId))
                .map(rows -> rows.size() == 0 ? null : runRow(rows.iterator().next()));
    }

    /** Filters of the run list; null fields do not filter. */
    public record RunFilter(String workflowId, String status, String tag, Instant createdAfter, Instant createdBefore) {
    }

    /** One summary row of the run list. */
    public record RunSummaryRow(String runId, String workflowId, String status, List<String> tags, Instant createdAt) {
    }

    /** A tenant's runs, newest first, strictly after the (createdAt, runId) cursor when one is given. */
    public Uni<List<RunSummaryRow>> page(String tenantId, RunFilter filter, Instant cursorCreatedAt, String cursorRunId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT run_id, workflow_id, status, tags, created_at FROM runs WHERE tenant_id = $1");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        if (filter.workflowId() != null) {
            params.add(filter.workflowId());
            sql.append(" AND workflow_id = $").append(params.size());
        }
        if (filter.status() != null) {
            params.add(filter.status());
            sql.append(" AND status = $").append(params.size());
        }
        if (filter.tag() != null) {
            params.add(filter.tag());
            sql.append(" AND $").append(params.size()).append(" = ANY(tags)");
        }
        if (filter.createdAfter() != null) {
            params.add(utc(filter.createdAfter()));
            sql.append(" AND created_at >= $").append(params.size());
        }
        if (filter.createdBefore() != null) {
            params.add(utc(filter.createdBefore()));
            sql.append(" AND created_at < $").append(params.size());
        }
        if (cursorCreatedAt != null) {
            params.add(utc(cursorCreatedAt));
            params.add(cursorRunId);
            sql.append(" AND (created_at, run_id) < ($").append(params.size() - 1).append(", $").append(params.size()).append(")");
        }
        params.add(limit);
        sql.append(" ORDER BY created_at DESC, run_id DESC LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.tuple(params)).map(rows -> {
            List<RunSummaryRow> page = new ArrayList<>(rows.size());
            for (Row r : rows) {
                page.add(new RunSummaryRow(r.getString("run_id"), r.getString("workflow_id"), r.getString("status"),
                        List.of(r.getArrayOfStrings("tags")), r.getOffsetDateTime("created_at").toInstant()));
            }
            return page;
        });
    }

    /** A run with its timing and snapshot, for list views that show progress and duration. */
    public record RunDetailRow(String runId, String workflowId, int workflowVersion, String status, List<String> tags,
                               String snapshotJson, Instant createdAt, Instant updatedAt) {
    }

    /** One workflow's runs of a tenant, newest first, by offset (the compatible surfaces page by number). */
    public Uni<List<RunDetailRow>> pageOfWorkflow(String tenantId, String workflowId, long offset, int limit) {
        return pool.preparedQuery("SELECT run_id, workflow_id, workflow_version, status, tags, snapshot::text AS snapshot, created_at, "
                        + "updated_at FROM runs WHERE tenant_id = $1 AND workflow_id = $2 ORDER BY created_at DESC, run_id DESC "
                        + "OFFSET $3 LIMIT $4")
                .execute(Tuple.of(tenantId, workflowId, offset, limit))
                .map(rows -> {
                    List<RunDetailRow> page = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        page.add(new RunDetailRow(r.getString("run_id"), r.getString("workflow_id"), r.getInteger("workflow_version"),
                                r.getString("status"), List.of(r.getArrayOfStrings("tags")), r.getString("snapshot"),
                                r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant()));
                    }
                    return page;
                });
    }

    public Uni<Long> countOfWorkflow(String tenantId, String workflowId) {
        return pool.preparedQuery("SELECT count(*) AS n FROM runs WHERE tenant_id = $1 AND workflow_id = $2")
                .execute(Tuple.of(tenantId, workflowId))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** Events after {@code afterSequence} (exclusive), in order. */
    public Uni<List<RunEvent>> events(String runId, long afterSequence, int limit) {
        return pool.preparedQuery("SELECT run_id, sequence, event_id, type, node_id, payload::text AS payload, occurred_at FROM run_events "
                        + "WHERE run_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3")
                .execute(Tuple.of(runId, afterSequence, limit))
                .map(rows -> {
                    List<RunEvent> events = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        events.add(new RunEvent(r.getString("event_id"), r.getString("run_id"), r.getLong("sequence"),
                                r.getString("type"), r.getOffsetDateTime("occurred_at").toInstant(), r.getString("node_id"),
                                json.readMap(r.getString("payload"))));
                    }
                    return events;
                });
    }

    private static RunRow runRow(Row r) {
        return new RunRow(r.getString("run_id"), r.getString("tenant_id"), r.getString("workflow_id"),
                r.getInteger("workflow_version"), r.getString("status"), r.getLong("last_sequence"),
                r.getJson("snapshot").toString(), r.getJson("options").toString(), r.getOffsetDateTime("created_at").toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
