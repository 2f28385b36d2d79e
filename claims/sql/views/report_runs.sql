-- Runs newest first (recency 1 is the latest), with how long each took.
CREATE OR REPLACE VIEW report.runs AS
SELECT
    *,
    finished_at - started_at AS run_time,
    row_number() OVER (ORDER BY started_at DESC, run_id) AS recency
FROM main.runs;
COMMENT ON VIEW report.runs IS 'Runs newest first, with their run time (internal).';
