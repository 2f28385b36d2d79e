-- The reasons are most of what a run writes (a million claims: 2.7M relations, each a sentence
-- naming outlets, figures and dates). DuckDB's default choice per segment (FSST) cost a third
-- more CPU to insert them and made the file three times larger than zstd over the column.
-- DuckDB cannot change a column's compression in place: the table is made again, rows and
-- comments kept (the views are recreated after every migration).
CREATE TABLE claim_relations_zstd (
    relation_id  VARCHAR NOT NULL,
    claim_a      VARCHAR NOT NULL,
    claim_b      VARCHAR NOT NULL,
    doc_a        VARCHAR NOT NULL,
    doc_b        VARCHAR NOT NULL,
    claim_type   VARCHAR NOT NULL,
    relation     VARCHAR NOT NULL,
    rule         VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL USING COMPRESSION zstd,
    score        DOUBLE NOT NULL,
    shared_terms VARCHAR[]
);
INSERT INTO claim_relations_zstd SELECT * FROM claim_relations;
DROP TABLE claim_relations;
ALTER TABLE claim_relations_zstd RENAME TO claim_relations;
COMMENT ON TABLE claim_relations IS 'Cross-document relations: agree, conflict or update, each with the rule that decided and a readable reason.';
COMMENT ON COLUMN claim_relations.relation_id IS 'Stable id from the two claim ids and the relation; reviews refer to it.';
COMMENT ON COLUMN claim_relations.claim_a IS 'First claim: claims.claim_id (claim_type quantity) or facts.fact_id (fact).';
COMMENT ON COLUMN claim_relations.claim_b IS 'Second claim, from another document than claim_a.';
COMMENT ON COLUMN claim_relations.doc_a IS 'Document of claim_a.';
COMMENT ON COLUMN claim_relations.doc_b IS 'Document of claim_b.';
COMMENT ON COLUMN claim_relations.claim_type IS 'quantity (claims table) or fact (facts table).';
COMMENT ON COLUMN claim_relations.relation IS 'agree (intervals overlap), conflict (same quantity and time, disjoint intervals) or update (same measure at another time).';
COMMENT ON COLUMN claim_relations.rule IS 'Reason code (claims/crosscheck.py Rule), stable for SQL filters.';
COMMENT ON COLUMN claim_relations.reason IS 'Why, in words a reviewer can check: the shared key terms, both intervals, both time scopes and whether they overlap.';
COMMENT ON COLUMN claim_relations.score IS 'Confidence in [0, 1] that the two claims are about the same thing.';
COMMENT ON COLUMN claim_relations.shared_terms IS 'Key terms both claims share (entities, descriptive words), which made them the same quantity.';
