-- A tenant may carry its own rate limit (admin API); NULL means the configured default.
ALTER TABLE tenants ADD COLUMN rate_capacity BIGINT;
ALTER TABLE tenants ADD COLUMN rate_refill_per_second DOUBLE PRECISION;

-- A key may be named by its owner; a rotated key points at the key it replaced.
ALTER TABLE api_keys ADD COLUMN name TEXT;
ALTER TABLE api_keys ADD COLUMN replaces TEXT REFERENCES api_keys (id);
