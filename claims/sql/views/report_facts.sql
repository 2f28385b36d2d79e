-- Every factual claim as the report shows it: with its document, where its span sits inside its
-- sentence, and how many relations it is in.
CREATE OR REPLACE VIEW report.facts AS
WITH related AS (
    SELECT claim_id, count(*) AS relations, bool_or(relation = 'conflict') AS in_conflict
    FROM main.claim_relation_sides
    WHERE claim_type = 'fact'
    GROUP BY claim_id
)
SELECT
    f.fact_id,
    f.doc_id,
    f.span,
    f.sentence,
    -- facts do not store their sentence's offset; the first occurrence is the one shown
    strpos(f.sentence, f.span) - 1 AS span_offset,
    f.subject,
    f.predicate,
    f.object,
    f.time,
    f.place,
    f.polarity,
    f.attributed_to,
    coalesce(r.relations, 0) AS relations,
    coalesce(r.in_conflict, false) AS in_conflict,
    d.title,
    d.outlet,
    d.published,
    d.url,
    row_number() OVER (ORDER BY f.doc_id, f.char_start, f.fact_id) AS sort_key
FROM main.facts f
LEFT JOIN related r ON r.claim_id = f.fact_id
LEFT JOIN main.documents d ON d.doc_id = f.doc_id;
COMMENT ON VIEW report.facts IS 'Factual claims as the report shows them (internal).';
