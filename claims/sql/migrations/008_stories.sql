-- Stories: the documents about one event or development, grouped by cross-checking (claims
-- are compared within a story), and the date cross-checking used for each document.
CREATE TABLE stories (
    story_id        VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    first_published DATE,
    last_published  DATE,
    documents       INTEGER NOT NULL
);
COMMENT ON TABLE stories IS 'Stories: documents about one event or development, grouped by their headlines, openings and names (claims/crosscheck/stories.py). Claims are cross-checked within a story.';
COMMENT ON COLUMN stories.story_id IS 'Stable id: a hash of the first document id of the story (so it changes when an earlier document joins).';
COMMENT ON COLUMN stories.label IS 'The headline of the document most typical of the story.';
COMMENT ON COLUMN stories.first_published IS 'Earliest date of its documents (published, or dated from the story).';
COMMENT ON COLUMN stories.last_published IS 'Latest date of its documents.';
COMMENT ON COLUMN stories.documents IS 'How many documents the story holds.';
ALTER TABLE documents ADD COLUMN story_id VARCHAR;
ALTER TABLE documents ADD COLUMN effective_date DATE;
ALTER TABLE documents ADD COLUMN effective_date_from VARCHAR;
COMMENT ON COLUMN documents.story_id IS 'The story the document belongs to (stories.story_id).';
COMMENT ON COLUMN documents.effective_date IS 'The date cross-checking used: published, else dated from its URL, dateline, figures or story (effective_date_from).';
COMMENT ON COLUMN documents.effective_date_from IS 'published, url, dateline, figures (the day whose reports give its moving figures) or story (its most similar dated document: a guess, never enough for a conflict).';

-- What each figure counts, read from its sentence once, when it is extracted
-- (claims/crosscheck/reading.py): cross-checking compares these, and analysts can filter on
-- them ("every count of the missing").
ALTER TABLE claims ADD COLUMN counted VARCHAR;
ALTER TABLE claims ADD COLUMN holder VARCHAR;
ALTER TABLE claims ADD COLUMN facets VARCHAR[];
ALTER TABLE claims ADD COLUMN cues VARCHAR[];
ALTER TABLE claims ADD COLUMN places VARCHAR[];
ALTER TABLE claims ADD COLUMN context_words VARCHAR[];
COMMENT ON COLUMN claims.counted IS 'For a count of people, what happened to them as its sentence says: dead, injured, missing, rescued, evacuated, displaced, aboard, voted, ... (NULL when the sentence does not say).';
COMMENT ON COLUMN claims.holder IS 'Whose figure it is: the name right next to it ("Macron 24.01 percent" -> macron, "Liberia with 7,830" -> liberia).';
COMMENT ON COLUMN claims.facets IS 'Words near the figure that tell quantities of one measure apart, as facet=value: side=leave, money=salary, basis=study, aspect=turnout.';
COMMENT ON COLUMN claims.cues IS 'What the wording says about the figure: part (one day''s or one group''s share), change, estimate, provisional (a count still running), fixed (the same at any time), slow (changes over weeks), year=YYYY (a year its clause names).';
COMMENT ON COLUMN claims.places IS 'Named places the figure is about (its own, else its sentence''s).';
COMMENT ON COLUMN claims.context_words IS 'Content words describing the figure (key terms, subject, its clause), folded to their synonym class; what cross-checking weighs for similarity.';
