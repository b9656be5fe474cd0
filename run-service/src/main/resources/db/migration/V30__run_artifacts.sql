-- Artifacts runs produce (approval interrupts that show one, node results that declare one). Written in the
-- same statement as the step whose artifact.created event records them; a new version is a new row, and the
-- version is the sequence of that event (increasing per run, not dense). Reads are always by tenant as well as
-- by the primary key, so another tenant's artifact is not found.
CREATE TABLE run_artifacts (
    tenant_id      TEXT        NOT NULL,
    run_id         TEXT        NOT NULL,
    artifact_id    TEXT        NOT NULL,
    version        BIGINT      NOT NULL,
    artifact_type  TEXT        NOT NULL,
    node_id        TEXT,
    summary        TEXT,
    content        JSONB,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, artifact_id, version)
);
