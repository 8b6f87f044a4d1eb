-- Pekko Persistence journal and snapshot store (io.mtlsvoting.persistence.journal).
-- Persistence ids carry the node id (node-3|tx-abc), so several nodes share these tables.

CREATE TABLE event_journal (
    persistence_id   TEXT     NOT NULL,
    sequence_nr      BIGINT   NOT NULL,
    -- Global insertion order, the offset of journal projections (see JournalReader).
    ordering         BIGSERIAL NOT NULL UNIQUE,
    deleted          BOOLEAN  NOT NULL DEFAULT FALSE,
    writer           TEXT     NOT NULL,
    write_timestamp  BIGINT   NOT NULL,
    -- Pekko Serialization: serializer id + serializer manifest + bytes.
    serializer_id    INTEGER  NOT NULL,
    manifest         TEXT     NOT NULL,
    payload          BYTEA    NOT NULL,
    -- The event adapter manifest of the PersistentRepr (usually empty).
    event_manifest   TEXT     NOT NULL DEFAULT '',
    tags             TEXT[]   NULL,
    PRIMARY KEY (persistence_id, sequence_nr)
);

-- Highest sequence number of a persistence id whose newest events were deleted, so that
-- deletions never lower the highest sequence number.
CREATE TABLE event_journal_highest (
    persistence_id       TEXT   NOT NULL PRIMARY KEY,
    highest_sequence_nr  BIGINT NOT NULL
);

CREATE TABLE snapshot (
    persistence_id  TEXT    NOT NULL,
    sequence_nr     BIGINT  NOT NULL,
    created         BIGINT  NOT NULL,
    serializer_id   INTEGER NOT NULL,
    manifest        TEXT    NOT NULL,
    payload         BYTEA   NOT NULL,
    PRIMARY KEY (persistence_id, sequence_nr)
);
