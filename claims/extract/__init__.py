"""Extraction: documents in, quantity claims and factual claims out (spaCy).

``pipeline`` runs the passages of each document through the model and builds claims;
``numbers`` reads figures in text; ``describe`` finds what a figure measures; ``timescope``
dates it; ``attribution`` names who says it; ``facts`` reads (subject, predicate, object)
triples; ``attributes`` stands in for the attribute ruler.
"""

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from claims.settings import PLACEMENT_SETTINGS, Settings

# Settings that cannot change what the extractor reads: where things go, how the work is cut
# up, input limits, and the cross-check's own.
_NOT_EXTRACTION = {
    *PLACEMENT_SETTINGS,
    "max_document_bytes",
    "future_date_tolerance_days",
    "max_line_chars",
    "earliest_published_year",
    "same_time_tolerance_days",
    "min_relation_score",
    "crosscheck_window",
    "currency_slack",
    "rounding_tolerance",
    "min_conflict_score",
    "story_similarity",
    "story_similarity_year",
    "story_max_gap_days",
    "data_dir",
}


def extract_key(settings: Settings) -> str:
    """A hash of what decides a document's claims besides its text: this subpackage's code,
    the word lists, the settings it reads and the spaCy model. A document published under
    another key is read again."""
    digest = hashlib.sha256()
    relevant = settings.model_dump(mode="json", exclude=_NOT_EXTRACTION)
    digest.update(repr(sorted(relevant.items())).encode())
    digest.update(f"{_version('spacy')}\0{settings.spacy_model}".encode())
    digest.update(_version(settings.spacy_model).encode())
    digest.update(f"{_version('pint')}\0{_version('babel')}".encode())  # units, currencies
    here = Path(__file__).parent
    # What a figure counts is read once, after extraction, by the cross-check's reader.
    reader = here.parent / "crosscheck" / "reading.py"
    sources = [
        *sorted(here.rglob("*.py")),
        here.parent / "lexicon.py",
        here.parent / "models.py",
        reader,
    ]
    for path in sources:
        digest.update(path.relative_to(here.parent).as_posix().encode() + b"\0" + path.read_bytes())
    for path in sorted(Path(settings.data_dir).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


@cache
def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


if TYPE_CHECKING:
    from claims.extract.model import load_nlp, stock_nlp
    from claims.extract.pipeline import (
        candidate_passages,
        extract_document,
        extract_documents,
        split_passages,
    )

_PIPELINE = {"candidate_passages", "extract_document", "extract_documents", "split_passages"}
_MODEL = {"load_nlp", "stock_nlp"}


def __getattr__(name: str) -> object:
    # The pipeline imports spaCy (most of a second): only code that extracts pays for it, not
    # a run that only needs the extractor's key.
    if name in _PIPELINE:
        from claims.extract import pipeline

        return getattr(pipeline, name)
    if name in _MODEL:
        from claims.extract import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "candidate_passages",
    "extract_document",
    "extract_documents",
    "extract_key",
    "load_nlp",
    "split_passages",
    "stock_nlp",
]
