-- Every relation with its latest review decision ('open' when nobody has decided yet).
CREATE OR REPLACE VIEW review_queue AS
WITH latest AS (
    SELECT relation_id, decision, note, reviewer, decided_at
    FROM reviews
    QUALIFY row_number() OVER (PARTITION BY relation_id ORDER BY decided_at DESC) = 1
)
SELECT
    r.relation_id,
    r.relation,
    r.claim_type,
    r.rule,
    r.score,
    r.doc_a,
    r.doc_b,
    r.reason,
    coalesce(l.decision, 'open') AS status,
    l.note,
    l.reviewer,
    l.decided_at
FROM claim_relations r
LEFT JOIN latest l USING (relation_id);
