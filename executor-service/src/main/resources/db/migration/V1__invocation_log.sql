-- The executor's invocation log (OpenWOP idempotency Layer 2): one row per logical invocation, claimed before
-- the effect and completed with the recorded result after it, so a redelivered dispatch republishes instead
-- of repeating the effect.
CREATE TABLE invocation_log (
    invocation_id  VARCHAR(512) PRIMARY KEY,
    tenant_id      VARCHAR(128) NOT NULL,
    run_id         VARCHAR(128) NOT NULL,
    node_id        VARCHAR(256) NOT NULL,
    attempt        INTEGER      NOT NULL,
    type_id        VARCHAR(256) NOT NULL,
    state          VARCHAR(16)  NOT NULL CHECK (state IN ('running', 'completed')),
    owner          VARCHAR(256),
    lease_until    TIMESTAMPTZ,
    executions     INTEGER      NOT NULL DEFAULT 1,
    result         JSONB,
    created_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    completed_at   TIMESTAMPTZ
);

-- Expired leases are looked up when another instance takes over a crashed one's work; old rows are purged by age.
CREATE INDEX invocation_log_running ON invocation_log (lease_until) WHERE state = 'running';
CREATE INDEX invocation_log_created ON invocation_log (created_at);
