"""The candidate-passage prefilter changes speed, never output.

``extract_documents`` parses only passages with a figure or a fact trigger word; running the
full model on every passage with the same rules must give exactly the same claims and facts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from claims.extract import candidate_passages, extract_documents, split_passages
from claims.extract.facts import may_contain_fact, may_yield_facts
from claims.ingest import ingest
from claims.models import Document, Extraction
from claims.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def seed_documents(settings: Settings) -> list[Document]:
    result = ingest([SEEDS], settings)
    assert not result.rejected
    return result.documents


def dumped(extractions: list[Extraction]) -> list[dict]:
    return [e.model_dump(mode="json") for e in extractions]


def test_prefiltered_extraction_is_identical_to_the_full_model_on_every_passage(
    seed_documents: list[Document], settings: Settings, nlp: Language
) -> None:
    fast = list(extract_documents(seed_documents, settings, nlp))
    full = list(extract_documents(seed_documents, settings, nlp, prefilter=False))
    assert sum(len(e.claims) for e in full) > 0 and sum(len(e.facts) for e in full) > 0
    assert dumped(fast) == dumped(full)


def test_prefilter_skips_some_seed_passages_and_keeping_all_keeps_every_passage(
    seed_documents: list[Document], settings: Settings
) -> None:
    kept = skipped = 0
    for doc in seed_documents:
        every = split_passages(doc.text)
        assert len(candidate_passages(doc, settings, prefilter=False)) == len(every)
        picked = len(candidate_passages(doc, settings))
        kept, skipped = kept + picked, skipped + len(every) - picked
    assert kept > 0 and skipped > 0


def test_the_recogniser_is_spared_on_some_seed_passages(
    seed_documents: list[Document], settings: Settings, nlp: Language
) -> None:
    """So the identical-output test above covers them: a passage with a fact-trigger word
    but no figure, whose parse cannot hold a fact ("the meeting", "he met with ..."), is
    given no entities."""
    passages = [p for d in seed_documents for p in candidate_passages(d, settings)]
    wordy = [p for p in passages if not p.figures]
    parsed = nlp.pipe((p.text for p in wordy), disable=["ner"])
    spared = [p for p, sdoc in zip(wordy, parsed, strict=True) if not may_yield_facts(sdoc)]
    assert spared and all(may_contain_fact(p.text) for p in spared)
