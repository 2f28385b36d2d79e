-- Reviewers' decisions on relations. Not touched by publish: decisions survive every run.
-- relation_id is derived from the two claim ids, which change when a document's text changes,
-- so a decision lapses exactly when the claims behind the flag change.
CREATE TABLE reviews (
    relation_id VARCHAR NOT NULL,
    decision    VARCHAR NOT NULL,
    note        VARCHAR,
    reviewer    VARCHAR,
    decided_at  TIMESTAMP NOT NULL
);
COMMENT ON TABLE reviews IS 'Review decisions on claim_relations rows (confirmed or dismissed), newest wins; kept across runs.';
COMMENT ON COLUMN reviews.decision IS 'confirmed or dismissed.';
