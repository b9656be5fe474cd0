-- Definitions keep the text they were registered with (OSOP YAML keeps its line numbers for later
-- diagnostics) and its format; deleting a workflow hides it from new runs while runs in flight
-- keep reading the version they started on.
ALTER TABLE workflow_definitions ADD COLUMN format TEXT NOT NULL DEFAULT 'OPENWOP';
ALTER TABLE workflow_definitions ADD COLUMN source TEXT;
ALTER TABLE workflow_definitions ADD COLUMN deleted_at TIMESTAMPTZ;
CREATE INDEX workflow_definitions_tenant_workflow ON workflow_definitions (tenant_id, workflow_id, version DESC);
