-- The latest verdict on each relation that has one: `reviews` keeps every verdict ever given.
-- The review queue and the report read it.
CREATE OR REPLACE VIEW latest_reviews AS
SELECT relation_id, decision, note, reviewer, decided_at
FROM main.reviews
QUALIFY row_number() OVER (PARTITION BY relation_id ORDER BY decided_at DESC) = 1;
COMMENT ON VIEW latest_reviews IS 'The latest verdict on each relation that has one (reviews keeps them all).';
COMMENT ON COLUMN latest_reviews.relation_id IS 'The relation decided on (claim_relations.relation_id).';
COMMENT ON COLUMN latest_reviews.decision IS 'The verdict: confirmed, dismissed, needs_context, misleading or update.';
COMMENT ON COLUMN latest_reviews.note IS 'The reviewer''s note, if any.';
COMMENT ON COLUMN latest_reviews.reviewer IS 'Who gave the verdict.';
COMMENT ON COLUMN latest_reviews.decided_at IS 'When the verdict was given.';
