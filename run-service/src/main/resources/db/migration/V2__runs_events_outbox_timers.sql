-- A run's current view: its RunSnapshot and the highest sequence committed. Writers move
-- last_sequence forward only from the value they read (optimistic concurrency), and the event
-- log's primary key makes a second writer of the same sequence fail instead of forking history.
CREATE TABLE runs (
    run_id            TEXT        PRIMARY KEY,
    tenant_id         TEXT        NOT NULL,
    workflow_id       TEXT        NOT NULL,
    workflow_version  INTEGER     NOT NULL,
    status            TEXT        NOT NULL,
    last_sequence     BIGINT      NOT NULL,
    snapshot          JSONB       NOT NULL,
    options           JSONB       NOT NULL,
    tags              TEXT[]      NOT NULL DEFAULT '{}',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX runs_tenant_newest ON runs (tenant_id, created_at DESC, run_id DESC);

-- The append-only event log (OpenWOP RunEventDoc per row).
CREATE TABLE run_events (
    run_id       TEXT        NOT NULL,
    sequence     BIGINT      NOT NULL,
    tenant_id    TEXT        NOT NULL,
    event_id     TEXT        NOT NULL,
    type         TEXT        NOT NULL,
    node_id      TEXT,
    payload      JSONB       NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, sequence)
);

-- Messages to publish, written in the same transaction as the events that caused them.
CREATE TABLE outbox (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic       TEXT        NOT NULL,
    record_key  TEXT        NOT NULL,
    payload     TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Durable timers (delays, retry backoff, node and run timeouts).
CREATE TABLE run_timers (
    run_id     TEXT        NOT NULL,
    timer_id   TEXT        NOT NULL,
    kind       TEXT        NOT NULL,
    node_id    TEXT,
    attempt    INTEGER     NOT NULL,
    fire_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, timer_id)
);
CREATE INDEX run_timers_due ON run_timers (fire_at);
