-- Both sides of every relation, one row per side, in the order a reviewer reads them.
-- For a quantity update the older figure comes first and is marked superseded: it is older when
-- its time scope (or, without time words, its publication date) ends earlier; ties keep the
-- order crosscheck wrote, which is older first.
CREATE OR REPLACE VIEW claim_relation_sides AS
WITH scopes AS (
    SELECT
        c.claim_id,
        coalesce(c.as_of_start, c.as_of_end, d.published) AS scope_start,
        coalesce(c.as_of_end, c.as_of_start, d.published) AS scope_end
    FROM claims c
    LEFT JOIN documents d ON d.doc_id = c.doc_id
),
pairs AS (
    SELECT
        r.relation_id,
        r.relation,
        r.claim_type,
        r.claim_a,
        r.claim_b,
        r.doc_a,
        r.doc_b,
        coalesce(
            r.relation = 'update' AND (
                b.scope_end < a.scope_end
                OR (b.scope_end = a.scope_end AND b.scope_start < a.scope_start)
            ),
            false
        ) AS b_is_older
    FROM claim_relations r
    LEFT JOIN scopes a ON r.claim_type = 'quantity' AND a.claim_id = r.claim_a
    LEFT JOIN scopes b ON r.claim_type = 'quantity' AND b.claim_id = r.claim_b
),
sides AS (
    SELECT relation_id, relation, claim_type, claim_a AS claim_id, doc_a AS doc_id,
           CASE WHEN b_is_older THEN 2 ELSE 1 END AS side_no
    FROM pairs
    UNION ALL
    SELECT relation_id, relation, claim_type, claim_b, doc_b,
           CASE WHEN b_is_older THEN 1 ELSE 2 END
    FROM pairs
)
SELECT
    relation_id,
    relation,
    claim_type,
    side_no,
    claim_id,
    doc_id,
    relation = 'update' AND side_no = 1 AS superseded
FROM sides;
COMMENT ON VIEW claim_relation_sides IS 'Both sides of every relation, one row per side; for an update the older figure is side 1 and superseded.';
COMMENT ON COLUMN claim_relation_sides.relation_id IS 'claim_relations.relation_id.';
COMMENT ON COLUMN claim_relation_sides.relation IS 'agree, conflict or update.';
COMMENT ON COLUMN claim_relation_sides.claim_type IS 'quantity (claim_id in claims) or fact (claim_id in facts).';
COMMENT ON COLUMN claim_relation_sides.side_no IS '1 or 2, in the order a reviewer reads them (older figure first for an update).';
COMMENT ON COLUMN claim_relation_sides.claim_id IS 'claims.claim_id or facts.fact_id of this side.';
COMMENT ON COLUMN claim_relation_sides.doc_id IS 'Document of this side.';
COMMENT ON COLUMN claim_relation_sides.superseded IS 'True for the older figure of an update: a later figure replaced it.';
