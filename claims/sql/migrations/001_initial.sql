-- The public tables. Change them only through a new numbered migration.
-- No PRIMARY KEY constraints: publish replaces rows inside one transaction, and uniqueness is
-- checked by the validation gate (expectations/) before anything is published.

CREATE TABLE documents (
    doc_id           VARCHAR NOT NULL,
    source_path      VARCHAR NOT NULL,
    url              VARCHAR,
    title            VARCHAR,
    outlet           VARCHAR,
    published        DATE,
    published_source VARCHAR,
    text             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    n_chars          INTEGER NOT NULL,
    extracted_run    VARCHAR
);
COMMENT ON TABLE documents IS 'One row per article (latest version). Claim offsets index into text.';
COMMENT ON COLUMN documents.doc_id IS 'Stable id: the id given in front matter/JSONL, else the path relative to the input folder, else a hash of the text.';
COMMENT ON COLUMN documents.source_path IS 'File the document was read from (with #line for JSONL).';
COMMENT ON COLUMN documents.published IS 'Publication date; time words in claims are resolved against it.';
COMMENT ON COLUMN documents.published_source IS 'Where the date came from: front matter, manifest, jsonl, text.';
COMMENT ON COLUMN documents.text IS 'The stored article text (HTML reduced to its article text).';
COMMENT ON COLUMN documents.sha256 IS 'SHA-256 of text; an unchanged hash means the document is not extracted again.';
COMMENT ON COLUMN documents.extracted_run IS 'run_id of the run that extracted this version.';

CREATE TABLE claims (
    claim_id       VARCHAR NOT NULL,
    doc_id         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    span           VARCHAR NOT NULL,
    char_start     INTEGER NOT NULL,
    char_end       INTEGER NOT NULL,
    sentence       VARCHAR NOT NULL,
    sentence_start INTEGER NOT NULL,
    value          DOUBLE,
    low            DOUBLE,
    high           DOUBLE,
    low_inclusive  BOOLEAN NOT NULL,
    high_inclusive BOOLEAN NOT NULL,
    qualifier      VARCHAR,
    unit           VARCHAR,
    measure        VARCHAR,
    subject        VARCHAR,
    key_terms      VARCHAR[],
    as_of_start    DATE,
    as_of_end      DATE,
    time_basis     VARCHAR NOT NULL,
    time_text      VARCHAR,
    scope_type     VARCHAR NOT NULL,
    attributed_to  VARCHAR,
    mention_of     VARCHAR
);
COMMENT ON TABLE claims IS 'Quantity claims: numbers a document asserts, with the interval the wording asserts.';
COMMENT ON COLUMN claims.claim_id IS 'Stable across runs for the same document text and span.';
COMMENT ON COLUMN claims.kind IS 'count, money, percent, ordinal, duration, measure, date or range.';
COMMENT ON COLUMN claims.span IS 'Exact text: documents.text[char_start:char_end] (Python string offsets).';
COMMENT ON COLUMN claims.value IS 'The stated number, normalised (NULL for vague amounts such as "hundreds").';
COMMENT ON COLUMN claims.low IS 'Lower end of the asserted interval (NULL: unbounded).';
COMMENT ON COLUMN claims.high IS 'Upper end of the asserted interval (NULL: unbounded).';
COMMENT ON COLUMN claims.qualifier IS 'Hedge words as written: more than, nearly, some, ...';
COMMENT ON COLUMN claims.unit IS 'Measured noun (lemma) or ISO currency code.';
COMMENT ON COLUMN claims.measure IS 'Synonym class of the unit (claims/data/synonyms.json); what cross-checking matches on.';
COMMENT ON COLUMN claims.subject IS 'What is counted, in a few words, with its key entities.';
COMMENT ON COLUMN claims.key_terms IS 'Normalised entities and terms that must be compatible for two claims to be the same quantity.';
COMMENT ON COLUMN claims.as_of_start IS 'Start of the time the claim is about.';
COMMENT ON COLUMN claims.as_of_end IS 'End of the time the claim is about.';
COMMENT ON COLUMN claims.time_basis IS 'explicit (time words in the text), published (publication date only) or unknown.';
COMMENT ON COLUMN claims.scope_type IS 'state, period (a total over a period), cumulative (a running total) or event.';
COMMENT ON COLUMN claims.attributed_to IS 'Who asserts it, when the text says.';
COMMENT ON COLUMN claims.mention_of IS 'claim_id of the first mention of the same figure in this document; repeats are not cross-checked.';

CREATE TABLE facts (
    fact_id       VARCHAR NOT NULL,
    doc_id        VARCHAR NOT NULL,
    span          VARCHAR NOT NULL,
    char_start    INTEGER NOT NULL,
    char_end      INTEGER NOT NULL,
    sentence      VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,
    predicate     VARCHAR NOT NULL,
    object        VARCHAR NOT NULL,
    time          VARCHAR,
    place         VARCHAR,
    polarity      VARCHAR NOT NULL,
    attributed_to VARCHAR
);
COMMENT ON TABLE facts IS 'Factual claims as (subject, predicate, object) triples with optional time, place and polarity.';
COMMENT ON COLUMN facts.predicate IS 'Normalised predicate lemma (annex, has status, meets at, ...).';
COMMENT ON COLUMN facts.polarity IS 'positive or negative ("will not recognize").';

CREATE TABLE claim_relations (
    relation_id  VARCHAR NOT NULL,
    claim_a      VARCHAR NOT NULL,
    claim_b      VARCHAR NOT NULL,
    doc_a        VARCHAR NOT NULL,
    doc_b        VARCHAR NOT NULL,
    claim_type   VARCHAR NOT NULL,
    relation     VARCHAR NOT NULL,
    rule         VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    score        DOUBLE NOT NULL,
    shared_terms VARCHAR[]
);
COMMENT ON TABLE claim_relations IS 'Cross-document relations: agree, conflict or update, each with the rule that decided and a readable reason.';
COMMENT ON COLUMN claim_relations.relation_id IS 'Stable id from the two claim ids and the relation; reviews refer to it.';
COMMENT ON COLUMN claim_relations.claim_type IS 'quantity (claims table) or fact (facts table).';
COMMENT ON COLUMN claim_relations.rule IS 'Reason code (claims/crosscheck.py Rule), stable for SQL filters.';
COMMENT ON COLUMN claim_relations.score IS 'Confidence in [0, 1] that the two claims are about the same thing.';

CREATE TABLE runs (
    run_id              VARCHAR NOT NULL,
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP,
    status              VARCHAR NOT NULL,
    inputs              VARCHAR[],
    documents           INTEGER,
    documents_extracted INTEGER,
    documents_unchanged INTEGER,
    documents_rejected  INTEGER,
    claims              INTEGER,
    facts               INTEGER,
    relations           INTEGER,
    agreements          INTEGER,
    conflicts           INTEGER,
    updates             INTEGER,
    gate_passed         BOOLEAN,
    failed_expectations VARCHAR[],
    report_path         VARCHAR,
    error               VARCHAR
);
COMMENT ON TABLE runs IS 'One row per pipeline run: counts, gate result and the failed expectations.';
COMMENT ON COLUMN runs.status IS 'running, published, gate_failed or failed.';

CREATE TABLE rejected_documents (
    run_id      VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR NOT NULL
);
COMMENT ON TABLE rejected_documents IS 'Inputs a run could not use, with a reason code and a readable detail.';
