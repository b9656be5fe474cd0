-- OpenWOP Idempotency-Key records, per (tenant, endpoint, key): the request's digest and, once done,
-- the response to replay. A pending record older than its lease is taken over by the next attempt.
CREATE TABLE idempotency_records (
    tenant_id        TEXT        NOT NULL,
    endpoint         TEXT        NOT NULL,
    idempotency_key  TEXT        NOT NULL,
    request_digest   TEXT        NOT NULL,
    state            TEXT        NOT NULL,
    response_status  INTEGER,
    response_body    TEXT,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, endpoint, idempotency_key)
);
