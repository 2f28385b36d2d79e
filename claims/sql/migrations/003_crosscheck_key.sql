-- What decided a run's relations, so that a later run whose documents, claims and facts are all
-- unchanged can keep the published relations instead of cross-checking again: only when the
-- settings, the lexicons and the cross-check code are the same too (the key is a hash of them).
ALTER TABLE runs ADD COLUMN crosscheck_key VARCHAR;
ALTER TABLE runs ADD COLUMN relations_recomputed BOOLEAN;
ALTER TABLE runs ADD COLUMN tables_changed BOOLEAN;
COMMENT ON COLUMN runs.crosscheck_key IS 'Hash of the settings, lexicon files and cross-check code the run''s relations were computed under.';
COMMENT ON COLUMN runs.relations_recomputed IS 'False when nothing changed and the published relations were kept as they were.';
COMMENT ON COLUMN runs.tables_changed IS 'Whether the run published anything new; false when the staged tables equalled the published ones, so the gate and publish were skipped.';
