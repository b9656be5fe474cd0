-- Tenant secrets, encrypted at rest with AES-256-GCM under capstan.executor.secrets-key: a fresh 12-byte nonce
-- per value, the tenant and name as associated data (a value copied to another row does not decrypt).
CREATE TABLE tenant_secrets (
    tenant_id   VARCHAR(128) NOT NULL,
    name        VARCHAR(256) NOT NULL,
    nonce       BYTEA        NOT NULL,
    ciphertext  BYTEA        NOT NULL,
    key_id      VARCHAR(64)  NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);

-- A tenant's execution policy; a column left NULL falls back to the service's config.
CREATE TABLE tenant_policy (
    tenant_id              VARCHAR(128) PRIMARY KEY,
    allow_exec             BOOLEAN,
    allow_private_targets  BOOLEAN,
    updated_at             TIMESTAMPTZ  NOT NULL DEFAULT now()
);
