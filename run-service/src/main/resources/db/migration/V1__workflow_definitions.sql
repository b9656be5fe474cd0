-- Workflow definitions, one row per registered version. Rows are never updated: a change is a new version.
CREATE TABLE workflow_definitions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    TEXT        NOT NULL,
    workflow_id  TEXT        NOT NULL,
    version      INTEGER     NOT NULL,
    definition   JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT workflow_definitions_version_unique UNIQUE (tenant_id, workflow_id, version)
);
