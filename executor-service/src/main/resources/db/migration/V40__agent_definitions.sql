-- Tenants' agent definitions: what model answers a step list's agentId, and how. NULL columns fall back to the
-- run's model options and the platform's defaults; agent_id 'default' is the tenant's own fallback for unknown ids.
CREATE TABLE agent_definitions (
    tenant_id       VARCHAR(128)     NOT NULL,
    agent_id        VARCHAR(128)     NOT NULL,
    provider        VARCHAR(32),
    model           VARCHAR(200),
    system_prompt   TEXT,
    temperature     DOUBLE PRECISION,
    max_tokens      INTEGER,
    credential_ref  VARCHAR(256),
    base_url        VARCHAR(2048),
    updated_at      TIMESTAMPTZ      NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, agent_id)
);
