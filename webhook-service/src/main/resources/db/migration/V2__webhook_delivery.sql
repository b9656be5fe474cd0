-- Delivery state of a subscription: `failed` stops deliveries for good (100 failures in 7 days); the circuit
-- is open while consecutive_failures >= the threshold and circuit_open_until is in the future, half-open after.
ALTER TABLE webhook_subscriptions
    ADD COLUMN status               TEXT        NOT NULL DEFAULT 'active',
    ADD COLUMN consecutive_failures INT         NOT NULL DEFAULT 0,
    ADD COLUMN circuit_open_until   TIMESTAMPTZ;
CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions (tenant_id) WHERE status = 'active';

-- One row per (webhook, run, sequence) the dispatcher considered: claimed before the attempt, so a Kafka record
-- seen again (redelivery, rebalance, a second replica) never sends an event twice. outcome is pending (claimed,
-- attempt in progress or interrupted), delivered, failed or skipped (circuit open). Rows older than the
-- retention (capstan.webhook.retention.deliveries, at least the failure window) are purged.
CREATE TABLE webhook_deliveries (
    webhook_id   TEXT        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    run_id       TEXT        NOT NULL,
    sequence     BIGINT      NOT NULL,
    event_type   TEXT        NOT NULL,
    outcome      TEXT        NOT NULL,
    status_code  INT,
    error        TEXT,
    attempted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (webhook_id, run_id, sequence)
);
CREATE INDEX webhook_deliveries_failures ON webhook_deliveries (webhook_id, attempted_at) WHERE outcome = 'failed';
CREATE INDEX webhook_deliveries_attempted ON webhook_deliveries (attempted_at);

-- What later events of a run are filtered by: its tags (from run.started) and, for a fork, the first sequence
-- that is the fork's own (earlier ones are the source's copied history). Removed when the run ends; rows of
-- runs that never end are purged after capstan.webhook.retention.runs.
CREATE TABLE webhook_runs (
    tenant_id          TEXT        NOT NULL,
    run_id             TEXT        NOT NULL,
    tags               TEXT[]      NOT NULL,
    live_from_sequence BIGINT      NOT NULL DEFAULT 0,
    recorded_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, run_id)
);
CREATE INDEX webhook_runs_recorded ON webhook_runs (recorded_at);
