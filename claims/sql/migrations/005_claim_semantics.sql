-- What a figure is besides its interval: a level or a change, asserted or revised or denied or
-- projected, the rounding an exact figure allows, and the factor to its measure's base unit
-- (miles and km meet in metres). And the extractor that read each document, so that a better
-- extractor reads again what an older one published.
ALTER TABLE claims ADD COLUMN change VARCHAR DEFAULT 'level';
ALTER TABLE claims ADD COLUMN stance VARCHAR DEFAULT 'asserted';
ALTER TABLE claims ADD COLUMN revises DOUBLE;
ALTER TABLE claims ADD COLUMN tolerance DOUBLE DEFAULT 0;
ALTER TABLE claims ADD COLUMN measure_factor DOUBLE DEFAULT 1;
COMMENT ON COLUMN claims.change IS 'level (an amount at a time), change (a difference: "another 700", "up 4%") or new_level (a level reached by a change: "has risen to 58"). Changes are never compared with levels.';
COMMENT ON COLUMN claims.stance IS 'asserted; revised (the text presents it as a revision or correction); denied (a figure the text reports as denied or refuted); projected (a forecast, target or estimate of the future); hypothetical.';
COMMENT ON COLUMN claims.revises IS 'For a revised figure, the figure it replaces when the text gives it ("revised down to 71 from 79" -> 79).';
COMMENT ON COLUMN claims.tolerance IS 'Half a unit of the last significant digit as written ("14,000" -> 500); the rounding an exact figure allows when compared. 0 for hedged, vague or inexact figures.';
COMMENT ON COLUMN claims.measure_factor IS 'value, low and high times this are in the base unit of measure (a mile is 1609.344 metres, a week 7 days); 1 when the unit is the base.';
ALTER TABLE documents ADD COLUMN extract_key VARCHAR;
COMMENT ON COLUMN documents.extract_key IS 'Hash of the extraction code, word lists, settings and spaCy model that read this version; a document read by another extractor is read again.';
