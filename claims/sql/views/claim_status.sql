-- Each quantity claim's standing for a reviewer, the strongest that applies:
--   contested      it is in a conflict
--   updated        a later figure superseded it (the older side of an update)
--   corroborated   another document agrees with it
--   single-source  none of these
-- Cross-checking relates first mentions only, so a repeat of a figure in the same document
-- (mention_of) takes the status of the mention it repeats.
CREATE OR REPLACE VIEW claim_status AS
WITH ranked AS (
    SELECT
        claim_id,
        min(
            CASE
                WHEN relation = 'conflict' THEN 1
                WHEN superseded THEN 2
                WHEN relation = 'agree' THEN 3
            END
        ) AS rank
    FROM claim_relation_sides
    WHERE claim_type = 'quantity'
    GROUP BY claim_id
)
SELECT
    c.claim_id,
    c.doc_id,
    CASE least(own.rank, repeated.rank)
        WHEN 1 THEN 'contested'
        WHEN 2 THEN 'updated'
        WHEN 3 THEN 'corroborated'
        ELSE 'single-source'
    END AS status
FROM claims c
LEFT JOIN ranked own ON own.claim_id = c.claim_id
LEFT JOIN ranked repeated ON repeated.claim_id = c.mention_of;
COMMENT ON VIEW claim_status IS 'Each quantity claim''s standing: contested, updated, corroborated or single-source (the strongest that applies).';
COMMENT ON COLUMN claim_status.claim_id IS 'claims.claim_id.';
COMMENT ON COLUMN claim_status.doc_id IS 'Document of the claim.';
COMMENT ON COLUMN claim_status.status IS 'contested (in a conflict), updated (a later figure superseded it), corroborated (another document agrees), single-source (none of these); a repeated mention takes its first mention''s status.';
