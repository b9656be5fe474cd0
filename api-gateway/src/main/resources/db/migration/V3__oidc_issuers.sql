-- OIDC issuers registered through the admin API (issuers may also come from configuration).
-- An issuer serves one tenant (tenant_id) or names the tenant in a claim of its tokens (tenant_claim).
CREATE TABLE oidc_issuers (
    id               TEXT        PRIMARY KEY,
    issuer           TEXT        NOT NULL UNIQUE,
    auth_server_url  TEXT,
    audience         TEXT,
    tenant_id        TEXT        REFERENCES tenants (id) ON DELETE CASCADE,
    tenant_claim     TEXT        NOT NULL DEFAULT 'capstan_tenant',
    -- {"role or scope value": ["openwop:scope", ...]}
    role_scopes      JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
