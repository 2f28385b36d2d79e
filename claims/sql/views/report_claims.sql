-- Every quantity claim as the report shows it: with its document, its status and where its span
-- sits inside its sentence.
CREATE OR REPLACE VIEW report.claims AS
SELECT
    c.claim_id,
    c.doc_id,
    c.kind,
    c.span,
    c.sentence,
    c.char_start - c.sentence_start AS span_offset,
    c.value,
    c.low,
    c.high,
    c.low_inclusive,
    c.high_inclusive,
    c.qualifier,
    c.unit,
    c.measure,
    c.subject,
    c.as_of_start,
    c.as_of_end,
    c.time_basis,
    c.time_text,
    c.scope_type,
    c.attributed_to,
    c.mention_of,
    c.change,
    c.stance,
    c.revises,
    c.measure_factor,
    s.status,
    d.title,
    d.outlet,
    d.published,
    d.url,
    row_number() OVER (ORDER BY c.doc_id, c.char_start, c.claim_id) AS sort_key
FROM main.claims c
JOIN main.claim_status s ON s.claim_id = c.claim_id
LEFT JOIN main.documents d ON d.doc_id = c.doc_id;
COMMENT ON VIEW report.claims IS 'Quantity claims as the report and the review UI show them (internal).';
