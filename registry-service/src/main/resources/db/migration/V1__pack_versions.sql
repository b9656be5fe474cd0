-- Published node-pack versions, content-addressed by the SHA-256 of their tarball. A version is
-- immutable once published; yanking hides it from resolution without deleting it.
CREATE TABLE pack_versions (
    name            TEXT        NOT NULL,
    version         TEXT        NOT NULL,
    tarball_sha256  TEXT        NOT NULL,
    manifest        JSONB       NOT NULL,
    signing_method  TEXT,
    signature       TEXT,
    tarball         BYTEA       NOT NULL,
    publisher       TEXT        NOT NULL,
    yanked          BOOLEAN     NOT NULL DEFAULT false,
    published_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX pack_versions_content ON pack_versions (tarball_sha256, name);
