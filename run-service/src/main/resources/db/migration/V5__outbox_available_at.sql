-- A dispatch that this replica runs itself (a local node) stays in the outbox, invisible to the sweep until
-- its lease runs out; if the replica dies mid-node, the sweep then hands the dispatch to the executors.
ALTER TABLE outbox ADD COLUMN available_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX outbox_available_at ON outbox (available_at);
