-- What value, unit and measure hold now that measures, durations and event dates are claims:
-- units normalised to SI base units through pint, durations in days, dates as day numbers.
-- Only the documentation of the columns changes; the columns and their types stay.
COMMENT ON COLUMN claims.kind IS 'count, money, percent, ordinal, duration (a length of time; ages too), measure (a physical quantity with a unit, or a scale reading: magnitude, TEU, Saffir-Simpson category), date (the date of an event, when the date is itself the fact) or range.';
COMMENT ON COLUMN claims.value IS 'The stated number, normalised (NULL for vague amounts such as "hundreds" and ranges). For kind date: the first day the date names, as days since 1970-01-01 (DATE ''1970-01-01'' + CAST(value AS INTEGER) is the date).';
COMMENT ON COLUMN claims.low IS 'Lower end of the asserted interval (NULL: unbounded). For kind date: the first day the text allows, in days since 1970-01-01 (NULL for "by 2024").';
COMMENT ON COLUMN claims.high IS 'Upper end of the asserted interval (NULL: unbounded). For kind date: the last day the text allows, in days since 1970-01-01.';
COMMENT ON COLUMN claims.unit IS 'Measured noun (lemma) or ISO 4217 currency code; for measures and durations the unit as written, normalised ("mile", "km/h", "tonne", "week"); for dates the precision ("day", "month", "year").';
COMMENT ON COLUMN claims.measure IS 'What cross-checking matches on: the synonym class of a counted noun (claims/data/synonyms.json), the currency code, the SI base unit of a measure ("metre", "metre / second", "kilogram", "metre ** 2"; "magnitude", "TEU" and temperature scales are their own), "day" for durations, "date" for dates.';
COMMENT ON COLUMN claims.as_of_start IS 'First day of the time the claim is about; for kind date the first day the date allows.';
COMMENT ON COLUMN claims.as_of_end IS 'Last day of the time the claim is about; for kind date the last day the date allows.';
