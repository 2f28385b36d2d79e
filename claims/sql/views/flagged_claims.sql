-- Every conflict, with both claims, both documents, both intervals and the reason.
CREATE OR REPLACE VIEW flagged_claims AS
SELECT
    r.relation_id,
    r.relation,
    r.rule,
    r.score,
    r.reason,
    r.shared_terms,
    a.claim_id      AS claim_a,
    a.doc_id        AS doc_a,
    da.outlet       AS outlet_a,
    da.published    AS published_a,
    a.span          AS span_a,
    a.sentence      AS sentence_a,
    a.low           AS low_a,
    a.high          AS high_a,
    a.low_inclusive AS low_inclusive_a,
    a.high_inclusive AS high_inclusive_a,
    a.as_of_start   AS as_of_start_a,
    a.as_of_end     AS as_of_end_a,
    b.claim_id      AS claim_b,
    b.doc_id        AS doc_b,
    db.outlet       AS outlet_b,
    db.published    AS published_b,
    b.span          AS span_b,
    b.sentence      AS sentence_b,
    b.low           AS low_b,
    b.high          AS high_b,
    b.low_inclusive AS low_inclusive_b,
    b.high_inclusive AS high_inclusive_b,
    b.as_of_start   AS as_of_start_b,
    b.as_of_end     AS as_of_end_b,
    a.unit,
    a.measure
FROM claim_relations r
JOIN claims a ON a.claim_id = r.claim_a
JOIN claims b ON b.claim_id = r.claim_b
JOIN documents da ON da.doc_id = a.doc_id
JOIN documents db ON db.doc_id = b.doc_id
WHERE r.relation = 'conflict' AND r.claim_type = 'quantity';
COMMENT ON VIEW flagged_claims IS 'Every conflict between figures, with both claims, documents, intervals and the reason.';
COMMENT ON COLUMN flagged_claims.relation_id IS 'The flag''s id (claim_relations.relation_id).';
COMMENT ON COLUMN flagged_claims.relation IS 'Always conflict here.';
COMMENT ON COLUMN flagged_claims.rule IS 'Reason code of the rule that decided.';
COMMENT ON COLUMN flagged_claims.score IS 'Confidence in [0, 1] that both claims are about the same thing.';
COMMENT ON COLUMN flagged_claims.reason IS 'Why both cannot be true, in words.';
COMMENT ON COLUMN flagged_claims.shared_terms IS 'Key terms both claims share.';
COMMENT ON COLUMN flagged_claims.claim_a IS 'claims.claim_id of the first claim.';
COMMENT ON COLUMN flagged_claims.doc_a IS 'Document of the first claim.';
COMMENT ON COLUMN flagged_claims.outlet_a IS 'Outlet of the first claim''s document.';
COMMENT ON COLUMN flagged_claims.published_a IS 'Publication date of the first claim''s document.';
COMMENT ON COLUMN flagged_claims.span_a IS 'The words of the first claim.';
COMMENT ON COLUMN flagged_claims.sentence_a IS 'The sentence of the first claim.';
COMMENT ON COLUMN flagged_claims.low_a IS 'Lower end of the first claim''s interval (NULL: unbounded).';
COMMENT ON COLUMN flagged_claims.high_a IS 'Upper end of the first claim''s interval (NULL: unbounded).';
COMMENT ON COLUMN flagged_claims.low_inclusive_a IS 'Whether low_a is in the interval.';
COMMENT ON COLUMN flagged_claims.high_inclusive_a IS 'Whether high_a is in the interval.';
COMMENT ON COLUMN flagged_claims.as_of_start_a IS 'Start of the first claim''s time scope.';
COMMENT ON COLUMN flagged_claims.as_of_end_a IS 'End of the first claim''s time scope.';
COMMENT ON COLUMN flagged_claims.claim_b IS 'claims.claim_id of the second claim.';
COMMENT ON COLUMN flagged_claims.doc_b IS 'Document of the second claim.';
COMMENT ON COLUMN flagged_claims.outlet_b IS 'Outlet of the second claim''s document.';
COMMENT ON COLUMN flagged_claims.published_b IS 'Publication date of the second claim''s document.';
COMMENT ON COLUMN flagged_claims.span_b IS 'The words of the second claim.';
COMMENT ON COLUMN flagged_claims.sentence_b IS 'The sentence of the second claim.';
COMMENT ON COLUMN flagged_claims.low_b IS 'Lower end of the second claim''s interval (NULL: unbounded).';
COMMENT ON COLUMN flagged_claims.high_b IS 'Upper end of the second claim''s interval (NULL: unbounded).';
COMMENT ON COLUMN flagged_claims.low_inclusive_b IS 'Whether low_b is in the interval.';
COMMENT ON COLUMN flagged_claims.high_inclusive_b IS 'Whether high_b is in the interval.';
COMMENT ON COLUMN flagged_claims.as_of_start_b IS 'Start of the second claim''s time scope.';
COMMENT ON COLUMN flagged_claims.as_of_end_b IS 'End of the second claim''s time scope.';
COMMENT ON COLUMN flagged_claims.unit IS 'Unit of the first claim (the second''s is of the same measure).';
COMMENT ON COLUMN flagged_claims.measure IS 'Synonym class of the unit both claims share (allies and nations are both country).';
