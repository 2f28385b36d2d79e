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
