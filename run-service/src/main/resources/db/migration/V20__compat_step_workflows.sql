-- The /api/v1/workflows (Operativus-compatible) authoring view of a step-list workflow: its name, description
-- and steps as edited, including while it has no steps yet (the engine's step-list definition needs at least
-- one). Every edit that leaves at least one step also registers the steps as a new workflow_definitions version,
-- which is what runs.
CREATE TABLE compat_step_workflows (
    tenant_id    TEXT        NOT NULL,
    workflow_id  TEXT        NOT NULL,
    name         TEXT,
    description  TEXT,
    steps        JSONB       NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    deleted_at   TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, workflow_id)
);
CREATE INDEX compat_step_workflows_newest ON compat_step_workflows (tenant_id, created_at DESC) WHERE deleted_at IS NULL;
