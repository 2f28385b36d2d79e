-- Every column of every public table says what it holds (SELECT * FROM duckdb_columns()), and the
-- views the report and the review UI read move out of the analyst's way into their own schema
-- `report` (the files in claims/sql/views/ recreate them there on every open).
CREATE SCHEMA IF NOT EXISTS report;
DROP VIEW IF EXISTS main.report_relation_sides;
DROP VIEW IF EXISTS main.report_totals;
DROP VIEW IF EXISTS main.report_runs;
DROP VIEW IF EXISTS main.report_claims;
DROP VIEW IF EXISTS main.report_facts;

COMMENT ON COLUMN documents.url IS 'Address of the article on the web, as given in front matter, JSONL or the manifest; NULL when unknown.';
COMMENT ON COLUMN documents.title IS 'Headline, as given in the metadata or found in the HTML.';
COMMENT ON COLUMN documents.outlet IS 'Who published it (ANI, UPI, a ministry''s site), as given in the metadata; what the report and the UI name a source by.';
COMMENT ON COLUMN documents.n_chars IS 'Length of text in characters (Python string length, the unit of the claim offsets).';

COMMENT ON COLUMN claims.doc_id IS 'Document the claim is in (documents.doc_id).';
COMMENT ON COLUMN claims.char_start IS 'Start of span in documents.text (Python string offset, inclusive).';
COMMENT ON COLUMN claims.char_end IS 'End of span in documents.text (exclusive): text[char_start:char_end] = span.';
COMMENT ON COLUMN claims.sentence IS 'The sentence the span is in, as it stands in the text.';
COMMENT ON COLUMN claims.sentence_start IS 'Offset of sentence in documents.text; char_start - sentence_start is the span''s place in the sentence.';
COMMENT ON COLUMN claims.low_inclusive IS 'Whether low itself is in the interval ("at least 50": true; "more than 50": false).';
COMMENT ON COLUMN claims.high_inclusive IS 'Whether high itself is in the interval ("up to 50": true; "nearly 50": false).';
COMMENT ON COLUMN claims.time_text IS 'The time words the time scope was read from ("in April", "since 2014"); NULL when it comes from the publication date.';

COMMENT ON COLUMN facts.fact_id IS 'Stable across runs for the same document text, span and predicate.';
COMMENT ON COLUMN facts.doc_id IS 'Document the fact is stated in (documents.doc_id).';
COMMENT ON COLUMN facts.span IS 'Exact text: documents.text[char_start:char_end].';
COMMENT ON COLUMN facts.char_start IS 'Start of span in documents.text (Python string offset, inclusive).';
COMMENT ON COLUMN facts.char_end IS 'End of span in documents.text (exclusive).';
COMMENT ON COLUMN facts.sentence IS 'The sentence the fact is stated in.';
COMMENT ON COLUMN facts.subject IS 'Who or what the fact is about, normalised (russia).';
COMMENT ON COLUMN facts.object IS 'What the predicate relates the subject to, normalised (crimea).';
COMMENT ON COLUMN facts.time IS 'When, as written ("in 2014"); NULL when the sentence does not say.';
COMMENT ON COLUMN facts.place IS 'Where, as written; NULL when the sentence does not say.';
COMMENT ON COLUMN facts.attributed_to IS 'Who states it, when the text says.';

COMMENT ON COLUMN claim_relations.claim_a IS 'First claim: claims.claim_id (claim_type quantity) or facts.fact_id (fact).';
COMMENT ON COLUMN claim_relations.claim_b IS 'Second claim, from another document than claim_a.';
COMMENT ON COLUMN claim_relations.doc_a IS 'Document of claim_a.';
COMMENT ON COLUMN claim_relations.doc_b IS 'Document of claim_b.';
COMMENT ON COLUMN claim_relations.relation IS 'agree (intervals overlap), conflict (same quantity and time, disjoint intervals) or update (same measure at another time).';
COMMENT ON COLUMN claim_relations.reason IS 'Why, in words a reviewer can check: the shared key terms, both intervals, both time scopes and whether they overlap.';
COMMENT ON COLUMN claim_relations.shared_terms IS 'Key terms both claims share (entities, descriptive words), which made them the same quantity.';

COMMENT ON COLUMN runs.run_id IS 'The Prefect flow run id (a UUID); rejected_documents.run_id and documents.extracted_run refer to it.';
COMMENT ON COLUMN runs.started_at IS 'When the run started (local time of the machine that ran it).';
COMMENT ON COLUMN runs.finished_at IS 'When the run ended; NULL while it runs or when it was killed.';
COMMENT ON COLUMN runs.status IS 'running; published (the gate passed and the tables were replaced); skipped (nothing to validate: nothing changed, or no document was read); gate_failed (nothing published); failed (an error, see error).';
COMMENT ON COLUMN runs.inputs IS 'The paths the run read.';
COMMENT ON COLUMN runs.documents IS 'Documents this run read and accepted (extracted or unchanged); published documents it did not read are carried over and not counted.';
COMMENT ON COLUMN runs.documents_extracted IS 'Of documents, those new or changed, read by the extractor.';
COMMENT ON COLUMN runs.documents_unchanged IS 'Of documents, those whose text was already published by the same extractor; their claims were carried over.';
COMMENT ON COLUMN runs.documents_rejected IS 'Inputs this run could not use (rows in rejected_documents with this run_id).';
COMMENT ON COLUMN runs.claims IS 'Quantity claims in the candidate tables after the run (all documents, not only this run''s).';
COMMENT ON COLUMN runs.facts IS 'Factual claims in the candidate tables after the run.';
COMMENT ON COLUMN runs.relations IS 'Relations in the candidate tables after the run (agreements + conflicts + updates).';
COMMENT ON COLUMN runs.agreements IS 'agree relations, between figures and between facts.';
COMMENT ON COLUMN runs.conflicts IS 'conflict relations, between figures and between facts.';
COMMENT ON COLUMN runs.updates IS 'update relations.';
COMMENT ON COLUMN runs.gate_passed IS 'Whether every expectation of the validation gate passed; NULL when the gate did not run (status skipped or failed).';
COMMENT ON COLUMN runs.failed_expectations IS 'Names of the expectations that failed, "table: expectation (column)"; empty when the gate passed.';
COMMENT ON COLUMN runs.report_path IS 'The HTML report written for this run.';
COMMENT ON COLUMN runs.error IS 'What went wrong when status is failed; NULL otherwise.';

COMMENT ON COLUMN rejected_documents.run_id IS 'The run that rejected the input (runs.run_id).';
COMMENT ON COLUMN rejected_documents.source_path IS 'The file (with #line for JSONL) that was rejected.';
COMMENT ON COLUMN rejected_documents.reason IS 'Reason code: empty, binary, undecodable, unreadable, too_large, line_too_long, bad_front_matter, bad_json, bad_text, no_text, no_article_text, bad_date, future_date, unsupported_type, duplicate_id.';
COMMENT ON COLUMN rejected_documents.detail IS 'What is wrong, in words, and what to do about it.';

COMMENT ON COLUMN reviews.relation_id IS 'The flag decided on (claim_relations.relation_id); a decision lapses when the claims behind it change.';
COMMENT ON COLUMN reviews.decision IS 'The verdict: confirmed (confirmed conflict), dismissed (not a conflict), needs_context, misleading or update (it is an update, not a conflict).';
COMMENT ON COLUMN reviews.note IS 'Why, for the next reviewer and for the ClaimReview export.';
COMMENT ON COLUMN reviews.reviewer IS 'Who decided: --reviewer, CLAIMS_REVIEWER or the login name in the CLI; the name given once in the review UI.';
COMMENT ON COLUMN reviews.decided_at IS 'When; the latest decision on a flag is the one in force.';
COMMENT ON TABLE schema_migrations IS 'Migrations applied to this file, in order (claims/sql/migrations/).';
COMMENT ON COLUMN schema_migrations.version IS 'Migration number (the NNN of NNN_name.sql).';
COMMENT ON COLUMN schema_migrations.name IS 'Migration name.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied to this file.';
