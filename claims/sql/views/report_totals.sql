-- One row of counts over the published tables for the report's summary.
CREATE OR REPLACE VIEW report.totals AS
WITH relations AS (
    SELECT
        count(*) FILTER (WHERE claim_type = 'quantity' AND relation = 'conflict') AS quantity_conflicts,
        count(*) FILTER (WHERE claim_type = 'quantity' AND relation = 'update') AS quantity_updates,
        count(*) FILTER (WHERE claim_type = 'quantity' AND relation = 'agree') AS quantity_agreements,
        count(*) FILTER (WHERE claim_type = 'fact' AND relation = 'conflict') AS fact_conflicts,
        count(*) FILTER (WHERE claim_type = 'fact' AND relation = 'update') AS fact_updates,
        count(*) FILTER (WHERE claim_type = 'fact' AND relation = 'agree') AS fact_agreements
    FROM main.claim_relations
),
statuses AS (
    SELECT
        count(*) FILTER (WHERE status = 'contested') AS contested,
        count(*) FILTER (WHERE status = 'updated') AS updated,
        count(*) FILTER (WHERE status = 'corroborated') AS corroborated,
        count(*) FILTER (WHERE status = 'single-source') AS single_source
    FROM main.claim_status
)
SELECT
    (SELECT count(*) FROM main.documents) AS documents,
    (SELECT count(*) FROM main.claims) AS claims,
    (SELECT count(*) FROM main.claims WHERE mention_of IS NOT NULL) AS repeated_mentions,
    (SELECT count(*) FROM main.facts) AS facts,
    relations.*,
    statuses.*
FROM relations, statuses;
COMMENT ON VIEW report.totals IS 'Counts for the report''s summary (internal).';
