-- Every relation, one row per side, with everything a reviewer compares: both sentences with the
-- span's offset in them, both intervals and time scopes, both sources, the rule, reason, score
-- and the latest review decision. Conflicts first, then updates, then agreements; best score
-- first within each.
CREATE OR REPLACE VIEW report.relation_sides AS
SELECT
    r.relation_id,
    r.relation,
    r.claim_type,
    r.rule,
    r.score,
    r.reason,
    r.shared_terms,
    l.decision AS review,
    l.note AS review_note,
    l.reviewer,
    l.decided_at,
    s.side_no,
    s.claim_id,
    s.doc_id,
    coalesce(q.span, f.span) AS span,
    coalesce(q.sentence, f.sentence) AS sentence,
    coalesce(q.span_offset, f.span_offset) AS span_offset,
    q.kind,
    q.value,
    q.low,
    q.high,
    q.low_inclusive,
    q.high_inclusive,
    q.qualifier,
    q.unit,
    coalesce(q.subject, f.subject) AS subject,
    q.as_of_start,
    q.as_of_end,
    q.time_basis,
    q.time_text,
    q.scope_type,
    q.change,
    q.stance,
    q.revises,
    q.status,
    f.predicate,
    f.object,
    f.time,
    f.place,
    f.polarity,
    coalesce(q.attributed_to, f.attributed_to) AS attributed_to,
    d.title,
    d.outlet,
    d.published,
    d.url,
    row_number() OVER (
        ORDER BY
            CASE r.relation WHEN 'conflict' THEN 1 WHEN 'update' THEN 2 ELSE 3 END,
            r.score DESC,
            r.relation_id,
            s.side_no
    ) AS sort_key
FROM main.claim_relation_sides s
JOIN main.claim_relations r ON r.relation_id = s.relation_id
LEFT JOIN main.latest_reviews l ON l.relation_id = s.relation_id
LEFT JOIN report.claims q ON s.claim_type = 'quantity' AND q.claim_id = s.claim_id
LEFT JOIN report.facts f ON s.claim_type = 'fact' AND f.fact_id = s.claim_id
LEFT JOIN main.documents d ON d.doc_id = s.doc_id;
COMMENT ON VIEW report.relation_sides IS 'Both sides of every relation with everything the report and the UI show (internal).';
