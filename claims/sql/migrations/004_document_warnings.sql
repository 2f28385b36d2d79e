-- What ingest had to repair to read a document (decoded as Windows-1252, NUL characters
-- removed): the text was kept, and a reviewer should know it is not byte-for-byte the source.
ALTER TABLE documents ADD COLUMN warnings VARCHAR[];
COMMENT ON COLUMN documents.warnings IS 'What ingest repaired to read the document (e.g. decoded as Windows-1252, NUL characters removed); empty when nothing.';
