-- A tenant's webhook endpoints. The secret signs deliveries (HMAC-SHA256), so it is kept, and shown
-- to the client only once, at registration.
CREATE TABLE webhook_subscriptions (
    id           TEXT        PRIMARY KEY,
    tenant_id    TEXT        NOT NULL,
    url          TEXT        NOT NULL,
    event_types  TEXT[]      NOT NULL,
    tags         TEXT[]      NOT NULL DEFAULT '{}',
    secret       TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id);
