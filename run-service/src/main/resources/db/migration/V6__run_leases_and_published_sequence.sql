-- Local nodes are leased on the run itself, not through outbox rows: the commit that starts one sets
-- local_lease_until in the same UPDATE that advances the run, the commit that applies its outcome clears or
-- renews it. A run whose lease ran out (its replica died mid-node) is reconciled by any replica: the engine
-- re-issues the in-flight dispatches.
ALTER TABLE runs ADD COLUMN local_lease_until TIMESTAMPTZ;
CREATE INDEX runs_local_lease ON runs (local_lease_until) WHERE local_lease_until IS NOT NULL;

-- Run events go to Kafka straight after the commit; published_sequence records (in batches) how far the
-- topic has them, and a sweep republishes what a stopped replica had not sent.
ALTER TABLE runs ADD COLUMN published_sequence BIGINT NOT NULL DEFAULT -1;
UPDATE runs SET published_sequence = last_sequence;
CREATE INDEX runs_unpublished ON runs (updated_at) WHERE published_sequence < last_sequence;

DROP INDEX outbox_available_at;
ALTER TABLE outbox DROP COLUMN available_at;
