-- Every relation with both claims as a reviewer reads them (the words, the outlet, the date) and
-- its latest verdict ('open' when nobody has decided yet). `claims flags` reads it.
CREATE OR REPLACE VIEW review_queue AS
WITH sides AS (
    SELECT
        s.relation_id,
        s.side_no,
        s.doc_id,
        coalesce(q.span, f.span) AS span,
        d.outlet,
        d.published
    FROM claim_relation_sides s
    LEFT JOIN claims q ON s.claim_type = 'quantity' AND q.claim_id = s.claim_id
    LEFT JOIN facts f ON s.claim_type = 'fact' AND f.fact_id = s.claim_id
    LEFT JOIN documents d ON d.doc_id = s.doc_id
)
SELECT
    r.relation_id,
    r.relation,
    r.claim_type,
    r.rule,
    r.score,
    a.doc_id AS doc_a,
    a.span AS span_a,
    a.outlet AS outlet_a,
    a.published AS published_a,
    b.doc_id AS doc_b,
    b.span AS span_b,
    b.outlet AS outlet_b,
    b.published AS published_b,
    r.reason,
    coalesce(l.decision, 'open') AS status,
    l.note,
    l.reviewer,
    l.decided_at
FROM claim_relations r
LEFT JOIN sides a ON a.relation_id = r.relation_id AND a.side_no = 1
LEFT JOIN sides b ON b.relation_id = r.relation_id AND b.side_no = 2
LEFT JOIN latest_reviews l ON l.relation_id = r.relation_id;
COMMENT ON VIEW review_queue IS 'Every relation with both claims (words, outlet, date) and its latest verdict; status open until someone decides.';
COMMENT ON COLUMN review_queue.relation_id IS 'The flag''s id (claim_relations.relation_id); `claims review` and the review UI take it.';
COMMENT ON COLUMN review_queue.relation IS 'conflict, update or agree.';
COMMENT ON COLUMN review_queue.claim_type IS 'quantity or fact.';
COMMENT ON COLUMN review_queue.rule IS 'Reason code of the rule that decided (claim_relations.rule).';
COMMENT ON COLUMN review_queue.score IS 'Confidence in [0, 1] that both claims are about the same thing.';
COMMENT ON COLUMN review_queue.doc_a IS 'Document of the first side (for an update: the older figure).';
COMMENT ON COLUMN review_queue.span_a IS 'The words of the first claim.';
COMMENT ON COLUMN review_queue.outlet_a IS 'Outlet of the first claim''s document.';
COMMENT ON COLUMN review_queue.published_a IS 'Publication date of the first claim''s document.';
COMMENT ON COLUMN review_queue.doc_b IS 'Document of the second side (for an update: the newer figure).';
COMMENT ON COLUMN review_queue.span_b IS 'The words of the second claim.';
COMMENT ON COLUMN review_queue.outlet_b IS 'Outlet of the second claim''s document.';
COMMENT ON COLUMN review_queue.published_b IS 'Publication date of the second claim''s document.';
COMMENT ON COLUMN review_queue.reason IS 'Why the relation holds, in words.';
COMMENT ON COLUMN review_queue.status IS 'open, or the latest verdict: confirmed, dismissed, needs_context, misleading, update.';
COMMENT ON COLUMN review_queue.note IS 'The latest verdict''s note.';
COMMENT ON COLUMN review_queue.reviewer IS 'Who gave the latest verdict.';
COMMENT ON COLUMN review_queue.decided_at IS 'When the latest verdict was given.';
