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
