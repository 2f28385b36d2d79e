"""Cross-document verification: which claims of different documents agree, conflict or update.

Documents are first grouped into stories (``stories``); each quantity claim gets a profile of
what it counts (``profiles``: its measure and, for counts of people, their outcome; the words
that tell quantities of one measure apart; whether it is a part, a change, an estimate, a fixed
property or a moving figure; its interval and time); claims of one story and block are then
decided pair by pair (``quantities``), factual triples by their own rules (``facts``). Every
relation carries a ``Rule`` code (``claims.models``), a score and a reason naming outlets and
dates.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from claims.crosscheck.columns import ClaimsIn, DocumentsIn, claim_table, document_columns
from claims.crosscheck.facts import check_facts
from claims.crosscheck.intervals import claim_interval, intervals_overlap
from claims.crosscheck.mentions import merge_mentions
from claims.crosscheck.profiles import unique_values
from claims.crosscheck.quantities import RELATION_SCHEMA, quantity_tables
from claims.crosscheck.reading import read_claims
from claims.crosscheck.stories import Story, StoryMap, group_stories
from claims.crosscheck.terms import parse_key_term
from claims.lexicon import normalize_name
from claims.memory import release_freed
from claims.models import MEANINGS, Extraction, FactClaim, Relation, Rule
from claims.relationkey import crosscheck_key
from claims.settings import Settings

__all__ = [
    "MEANINGS",
    "CrossCheck",
    "CrossCheckStream",
    "Rule",
    "Story",
    "StoryMap",
    "add_names",
    "claim_interval",
    "cross_check",
    "cross_check_frame",
    "cross_check_run",
    "cross_check_stream",
    "crosscheck_key",
    "gc_paused",
    "intervals_overlap",
    "merge_mentions",
    "read_claims",
    "read_extraction",
    "stories_of",
]

_NAME_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP", "EVENT", "PRODUCT"})


@dataclass
class CrossCheck:
    """What cross-checking a run's claims gives: the relations and the stories."""

    relations: pd.DataFrame
    stories: StoryMap


@contextmanager
def gc_paused() -> Iterator[None]:
    """Cross-checking makes millions of small acyclic objects; each cyclic collection they
    trigger rescans every live claim, which makes large runs superlinear. Reference counting
    frees them anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_extraction(extraction: Extraction, settings: Settings) -> Extraction:
    """``extraction`` with repeats of a figure merged and what each figure counts read from
    its sentence: per document, so extraction's worker processes do it too."""
    claims = read_claims(merge_mentions(extraction.claims, settings), settings)
    return extraction.model_copy(update={"claims": claims})


def stories_of(
    claims: ClaimsIn,
    facts: Sequence[FactClaim],
    documents: DocumentsIn,
    settings: Settings,
) -> StoryMap:
    """Group the documents into stories, with the names their claims and facts give."""
    names: dict[str, set[str]] = defaultdict(set)
    add_names(names, claims, facts, settings)
    return group_stories(documents, names, settings)


def add_names(
    names: dict[str, set[str]],
    claims: ClaimsIn,
    facts: Iterable[FactClaim],
    settings: Settings,
) -> None:
    """Add to ``names`` the entity names each document's claims and facts mention (what
    stories are told apart by), so that they can be gathered a slice of claims at a time."""
    table = claim_table(claims).select(["doc_id", "key_terms"])
    terms = table["key_terms"].combine_chunks()
    # Each distinct key term is parsed once; then each document's distinct names are added.
    encoded = pc.list_flatten(terms).dictionary_encode()
    anchors: list[str] = []
    code = []
    for raw in encoded.dictionary.to_pylist():
        term = parse_key_term(raw, settings.data_dir)
        if term is not None and term.label in _NAME_LABELS:
            code.append(len(anchors))
            anchors.append(term.anchor)
        else:
            code.append(-1)
    anchor = np.array(code, dtype=np.int64)[encoded.indices.to_numpy()]
    owner = pc.list_parent_indices(terms).to_numpy()[anchor >= 0]
    anchor = anchor[anchor >= 0]
    doc_codes = table["doc_id"].combine_chunks().dictionary_encode()
    doc = doc_codes.indices.to_numpy()[owner]
    pairs = unique_values(doc * max(len(anchors), 1) + anchor)
    doc_names = doc_codes.dictionary.to_pylist()
    for d, a in zip(
        (pairs // max(len(anchors), 1)).tolist(),
        (pairs % max(len(anchors), 1)).tolist(),
        strict=True,
    ):
        names.setdefault(doc_names[d], set()).add(anchors[a])
    for f in facts:
        for part in (f.subject, f.object):
            if part and part[:1].isupper():
                names.setdefault(f.doc_id, set()).add(normalize_name(part, settings.data_dir))


@dataclass
class CrossCheckStream:
    """The stories, and the relations as Arrow tables made one slice at a time: facts' first,
    then quantities' in (doc_a, doc_b, claim_a, claim_b) order. Dates that ``profiles`` finds
    for undated documents are in ``stories`` once ``tables`` is exhausted."""

    stories: StoryMap
    tables: Iterator[pa.Table]


def cross_check_stream(
    claims: ClaimsIn,
    facts: Sequence[FactClaim],
    documents: DocumentsIn,
    settings: Settings,
) -> CrossCheckStream:
    """:func:`cross_check_run` with the relations handed out in slices, so that a caller can
    write each out before the next is made: the reasons of a million claims' relations take
    gigabytes held all at once."""
    with gc_paused():
        claims, documents = claim_table(claims), document_columns(documents)
        stories = stories_of(claims, facts, documents, settings)
    release_freed()
    return CrossCheckStream(stories, _relation_tables(claims, facts, documents, stories, settings))


def _relation_tables(
    claims: ClaimsIn,
    facts: Sequence[FactClaim],
    documents: DocumentsIn,
    stories: StoryMap,
    settings: Settings,
) -> Iterator[pa.Table]:
    with gc_paused():
        facts_related = check_facts(facts, documents, settings)
        facts_related.sort(key=attrgetter("doc_a", "doc_b", "claim_a", "claim_b"))
        yield pa.Table.from_pylist([r.model_dump() for r in facts_related], schema=RELATION_SCHEMA)
        del facts_related
        tables = quantity_tables(claims, documents, stories, settings)
        del claims  # held by ``tables`` alone, which lets most of it go once it is read
        yield from tables


def cross_check_run(
    claims: ClaimsIn,
    facts: Sequence[FactClaim],
    documents: DocumentsIn,
    settings: Settings,
) -> CrossCheck:
    """Stories, then relations between claims of different documents (agree, conflict or
    update), as a DataFrame with ``Relation``'s columns: what the pipeline stages in DuckDB.

    Only first mentions take part (``mention_of`` is None). Deterministic: rows are sorted and
    ids are stable (``Relation.make_id``).
    """
    stream = cross_check_stream(claims, facts, documents, settings)
    table = pa.concat_tables(list(stream.tables))
    # Arrow-backed columns all the way to DuckDB: a million reasons as Python strings
    # would take gigabytes.
    return CrossCheck(table.to_pandas(types_mapper=pd.ArrowDtype), stream.stories)


def cross_check_frame(
    claims: ClaimsIn,
    facts: Sequence[FactClaim],
    documents: DocumentsIn,
    settings: Settings,
) -> pd.DataFrame:
    """The relations of :func:`cross_check_run`."""
    return cross_check_run(claims, facts, documents, settings).relations


def cross_check(
    claims: ClaimsIn,
    facts: Sequence[FactClaim],
    documents: DocumentsIn,
    settings: Settings,
) -> list[Relation]:
    """``cross_check_frame`` as ``Relation`` models, for library use and tests."""
    frame = cross_check_frame(claims, facts, documents, settings)
    make = Relation.model_construct
    return [make(**row) for row in frame.to_dict("records")]
