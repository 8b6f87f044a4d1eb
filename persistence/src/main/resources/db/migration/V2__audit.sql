-- Audit trail (DESIGN section 6): a projection of each node's own journal, written by that
-- node's AuditWriter. Every row names the node that observed it (observed_by) and the
-- event_journal.ordering of the event that produced it (journal_ordering). Every write is an
-- idempotent upsert whose result does not depend on the order rows are applied in, so the
-- projection may re-apply or apply late (journal gaps) without duplicating or undoing anything.
-- Values are unsigned 64-bit numbers: NUMERIC(20,0) within 0..2^64-1.

CREATE TABLE votes (
    observed_by      INTEGER       NOT NULL,
    tx_id            TEXT          NOT NULL,
    node_id          INTEGER       NOT NULL,
    value            NUMERIC(20,0) NOT NULL CHECK (value BETWEEN 0 AND 18446744073709551615),
    issued_at        TIMESTAMPTZ   NOT NULL,
    signature        BYTEA         NOT NULL,
    -- True once the observer's tally counted the vote; false for a vote known only as evidence
    -- (the second value of a double vote).
    counted          BOOLEAN       NOT NULL,
    journal_ordering BIGINT        NOT NULL,
    -- When the event was journaled, and when the projection wrote the row (their difference is
    -- the projection lag).
    journaled_at     TIMESTAMPTZ   NOT NULL,
    recorded_at      TIMESTAMPTZ   NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (observed_by, tx_id, node_id, value)
);
CREATE INDEX votes_by_tx ON votes (tx_id);
CREATE INDEX votes_by_node ON votes (node_id, observed_by);

CREATE TABLE byzantine_violations (
    id               BIGSERIAL     PRIMARY KEY,
    observed_by      INTEGER       NOT NULL,
    -- The node that detected the violation: the observer itself.
    detected_by      INTEGER       GENERATED ALWAYS AS (observed_by) STORED,
    tx_id            TEXT          NOT NULL,
    -- The offender.
    node_id          INTEGER       NOT NULL,
    violation_type   TEXT          NOT NULL CHECK (violation_type IN
                         ('DOUBLE_VOTING', 'MINORITY_VOTE', 'INVALID_SIGNATURE', 'SILENT_FAILURE')),
    -- DOUBLE_VOTING: {first, second, reportedBy}; INVALID_SIGNATURE: {vote, reason};
    -- MINORITY_VOTE: {vote, decidedValue}; SILENT_FAILURE: {deadline}. Votes carry hex signatures.
    evidence         JSONB         NOT NULL,
    journal_ordering BIGINT        NOT NULL,
    -- When the observer journaled the detection.
    detected_at      TIMESTAMPTZ   NOT NULL,
    recorded_at      TIMESTAMPTZ   NOT NULL DEFAULT clock_timestamp(),
    -- One row per observer, tx, offender and kind: the first evidence journaled is kept.
    UNIQUE (observed_by, tx_id, node_id, violation_type)
);
CREATE INDEX violations_by_tx ON byzantine_violations (tx_id);
CREATE INDEX violations_by_node ON byzantine_violations (node_id, observed_by);

CREATE TABLE reputation_scores (
    observed_by      INTEGER          NOT NULL,
    node_id          INTEGER          NOT NULL,
    score            DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    -- Votes of node_id the observer counted, and violations it detected of node_id.
    total_votes      BIGINT           NOT NULL DEFAULT 0,
    violations       BIGINT           NOT NULL DEFAULT 0,
    banned           BOOLEAN          NOT NULL DEFAULT FALSE,
    ban_reason       TEXT             NULL,
    -- issued_at of the newest counted vote of node_id.
    last_seen        TIMESTAMPTZ      NULL,
    -- Orderings of the events that last set score and banned: the later event wins whatever
    -- order the rows are applied in.
    score_ordering   BIGINT           NOT NULL DEFAULT 0,
    ban_ordering     BIGINT           NOT NULL DEFAULT 0,
    PRIMARY KEY (observed_by, node_id)
);
CREATE INDEX reputation_by_node ON reputation_scores (node_id);

CREATE TABLE transactions (
    observed_by        INTEGER       NOT NULL,
    tx_id              TEXT          NOT NULL,
    state              TEXT          NOT NULL CHECK (state IN ('COLLECTING', 'THRESHOLD_REACHED',
                           'COMMITTED', 'ABORTED_BYZANTINE', 'ABORTED_SPLIT', 'ABORTED_TIMEOUT')),
    -- The decided value (from the quorum certificate, or the committed value).
    value              NUMERIC(20,0) NULL CHECK (value BETWEEN 0 AND 18446744073709551615),
    -- Votes the observer counted in this tx.
    vote_count         INTEGER       NOT NULL DEFAULT 0,
    quorum_certificate JSONB         NULL,
    first_vote_at      TIMESTAMPTZ   NULL,
    deadline_at        TIMESTAMPTZ   NULL,
    -- When the tally left COLLECTING (threshold reached or aborted), and when it committed.
    decided_at         TIMESTAMPTZ   NULL,
    committed_at       TIMESTAMPTZ   NULL,
    -- Why an aborted tally aborted.
    outcome_reason     TEXT          NULL,
    safety_alarm       TEXT          NULL,
    -- Ordering of the event that set state: the later event wins.
    state_ordering     BIGINT        NOT NULL DEFAULT 0,
    PRIMARY KEY (observed_by, tx_id)
);
CREATE INDEX transactions_by_tx ON transactions (tx_id);
CREATE INDEX transactions_open ON transactions (observed_by) WHERE state = 'COLLECTING';

-- Progress of each projection, written in the same transaction as its rows.
CREATE TABLE projection_offset (
    projection_name  TEXT        PRIMARY KEY,
    -- Every ordering <= last_ordering is projected or known never to commit.
    last_ordering    BIGINT      NOT NULL,
    -- Highest ordering projected; orderings in (last_ordering, head_ordering] are projected
    -- except pending_gaps, which were not yet visible (another transaction still open).
    head_ordering    BIGINT      NOT NULL,
    pending_gaps     BIGINT[]    NOT NULL DEFAULT '{}',
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

-- Operator views (names of the seed system).
CREATE VIEW vote_history AS
SELECT v.tx_id, v.node_id, v.value, v.issued_at, encode(v.signature, 'hex') AS signature_hex,
       v.counted, v.observed_by, v.recorded_at, t.state AS tx_state, t.value AS decided_value
FROM votes v
LEFT JOIN transactions t ON t.observed_by = v.observed_by AND t.tx_id = v.tx_id;

-- One line per violation with the nodes that detected it.
CREATE VIEW violation_detections AS
SELECT tx_id, node_id, violation_type, array_agg(observed_by ORDER BY observed_by) AS detected_by,
       min(detected_at) AS first_detected_at
FROM byzantine_violations
GROUP BY tx_id, node_id, violation_type;
