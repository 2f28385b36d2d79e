"""The gate's expectation suites, one per staged table, defined in code.

GX validates one batch (one DataFrame) at a time, so every rule that spans two tables (a span
against its document's text, a relation against the claims it links) is first computed in
pandas into a *derived column* by :func:`prepare_frames`; the suites then check those columns
with ordinary GX expectations. Derived columns are named for what they hold, so a failed
expectation names its rule on its own (``span`` vs ``text_at_offsets``).

Each expectation carries a ``description``: the rule in words, shown in failure messages and
Data Docs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import get_args

import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.expectations import Expectation

from claims.models import (
    QUANTITY_KINDS,
    RELATION_KINDS,
    FactClaim,
    QuantityClaim,
    Relation,
)
from claims.store import (
    CLAIM_COLUMNS,
    DOCUMENT_COLUMNS,
    FACT_COLUMNS,
    RELATION_COLUMNS,
    STORY_COLUMNS,
)

# Validated in this order; the order matters only to prepare_frames (claims need documents).
TABLES: tuple[str, ...] = ("documents", "claims", "facts", "claim_relations", "stories")

# Mirrors the NOT NULL columns of claims/sql/migrations/001_initial.sql (a test keeps them equal).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "source_path", "text", "sha256", "n_chars"),
    "claims": (
        "claim_id",
        "doc_id",
        "kind",
        "span",
        "char_start",
        "char_end",
        "sentence",
        "sentence_start",
        "low_inclusive",
        "high_inclusive",
        "time_basis",
        "scope_type",
    ),
    "facts": (
        "fact_id",
        "doc_id",
        "span",
        "char_start",
        "char_end",
        "sentence",
        "subject",
        "predicate",
        "object",
        "polarity",
    ),
    "claim_relations": (
        "relation_id",
        "claim_a",
        "claim_b",
        "doc_a",
        "doc_b",
        "claim_type",
        "relation",
        "rule",
        "reason",
        "score",
    ),
    "stories": ("story_id", "label", "documents"),
}

# Every column of each public table: the column-set check names any that a frame lacks.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": tuple(DOCUMENT_COLUMNS),
    "claims": tuple(CLAIM_COLUMNS),
    "facts": tuple(FACT_COLUMNS),
    "claim_relations": tuple(RELATION_COLUMNS),
    "stories": tuple(STORY_COLUMNS),
}

# Columns that identify an offending row in failure messages (never ``text``: it is long).
INDEX_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id",),
    "claims": ("claim_id", "doc_id"),
    "facts": ("fact_id", "doc_id"),
    "claim_relations": ("relation_id", "claim_a", "claim_b"),
    "stories": ("story_id",),
}

TIME_BASES: tuple[str, ...] = get_args(QuantityClaim.model_fields["time_basis"].annotation)
SCOPE_TYPES: tuple[str, ...] = get_args(QuantityClaim.model_fields["scope_type"].annotation)
CHANGES: tuple[str, ...] = get_args(QuantityClaim.model_fields["change"].annotation)
STANCES: tuple[str, ...] = get_args(QuantityClaim.model_fields["stance"].annotation)
EPOCH = pd.Timestamp("1970-01-01")
POLARITIES: tuple[str, ...] = get_args(FactClaim.model_fields["polarity"].annotation)
CLAIM_TYPES: tuple[str, ...] = get_args(Relation.model_fields["claim_type"].annotation)

SHA256_PATTERN = r"^[0-9a-f]{64}$"
NON_BLANK_PATTERN = r"\S"


# --- derived columns ------------------------------------------------------------------------


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column, or an all-missing one so a frame lacking it still reaches the suite.

    The suite's column-set expectation then reports the missing column by name.
    """
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _text_at_offsets(frame: pd.DataFrame, texts: Mapping[str, str]) -> list[str | None]:
    """``text[char_start:char_end]`` of each row's document; None when the document is unknown."""
    out: list[str | None] = []
    rows = zip(
        _column(frame, "doc_id"),
        _column(frame, "char_start"),
        _column(frame, "char_end"),
        strict=True,
    )
    for doc_id, start, end in rows:
        text = texts.get(doc_id) if _present(doc_id) else None
        if text is None or not (_present(start) and _present(end)):
            out.append(None)
        else:
            out.append(text[int(start) : int(end)])
    return out


def _sha256(value: object) -> str | None:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if isinstance(value, str) else None


def _date_days_match(claims: pd.DataFrame) -> list[bool]:
    """For a date claim: measure 'date', and low/high are the days of as_of_start/as_of_end
    (days since 1970-01-01) where set. True for every other claim."""
    out = []
    rows = zip(
        _column(claims, "kind"),
        _column(claims, "measure"),
        _column(claims, "low"),
        _column(claims, "high"),
        _column(claims, "as_of_start"),
        _column(claims, "as_of_end"),
        strict=True,
    )
    for kind, measure, low, high, start, end in rows:
        if kind != "date":
            out.append(True)
            continue
        ok = measure == "date"
        for bound, day in ((low, start), (high, end)):
            if _present(bound) and _present(day):
                ok = (
                    ok
                    and (EPOCH + pd.Timedelta(days=float(bound))).date() == pd.Timestamp(day).date()
                )
        out.append(bool(ok))
    return out


def prepare_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Copies of the staged tables with the derived columns the suites check.

    documents: ``text_sha256``, ``text_length``, ``unknown_story_id`` (a story_id that names
    no story, else None).
    stories: ``documents_with_story`` (how many documents name the story).
    claims, facts: ``text_at_offsets`` (the document text at the row's offsets),
    ``doc_id_in_documents``; claims also ``unknown_mention_of`` (a mention_of that names no
    claim_id, else None) and ``date_days_match_as_of`` (a date claim's days are its dates).
    claim_relations: ``claim_a_exists``/``claim_b_exists`` (the id is a claim_id or fact_id),
    ``doc_of_claim_a``/``doc_of_claim_b`` and ``type_of_claim_a``/``type_of_claim_b`` (the
    document and table of the claim each end points at; None when it does not exist),
    ``docs_differ`` (doc_a != doc_b). List cells become tuples (see ``_lists_as_tuples``).
    A table missing from ``frames`` becomes a frame without columns, which its suite rejects.
    """
    out = {name: frames.get(name, pd.DataFrame()).copy() for name in TABLES}
    docs, claims, facts, relations, stories = (out[name] for name in TABLES)

    doc_ids = _column(docs, "doc_id")
    texts = {
        d: t
        for d, t in zip(doc_ids, _column(docs, "text"), strict=True)
        if _present(d) and isinstance(t, str)
    }
    docs["text_sha256"] = [_sha256(t) for t in _column(docs, "text")]
    docs["text_length"] = [len(t) if isinstance(t, str) else None for t in _column(docs, "text")]

    known_docs = set(doc_ids.dropna())
    for table in (claims, facts):
        table["text_at_offsets"] = _text_at_offsets(table, texts)
        table["doc_id_in_documents"] = _column(table, "doc_id").isin(known_docs).astype(bool)
    claim_ids = set(_column(claims, "claim_id").dropna())
    mention_of = _column(claims, "mention_of")
    claims["unknown_mention_of"] = mention_of.where(
        mention_of.notna() & ~mention_of.isin(claim_ids), None
    ).astype(object)
    claims["date_days_match_as_of"] = _date_days_match(claims)

    # A claim id names its document and its table; relations must agree with both.
    owner: dict[str, tuple[str, str]] = {}
    for table, claim_type, id_column in (
        (claims, "quantity", "claim_id"),
        (facts, "fact", "fact_id"),
    ):
        for claim_id, doc_id in zip(
            _column(table, id_column), _column(table, "doc_id"), strict=True
        ):
            if _present(claim_id):
                owner.setdefault(claim_id, (doc_id, claim_type))
    for end in ("a", "b"):
        ids = _column(relations, f"claim_{end}")
        found = [owner.get(i) if _present(i) else None for i in ids]
        relations[f"claim_{end}_exists"] = [f is not None for f in found]
        relations[f"doc_of_claim_{end}"] = [f[0] if f else None for f in found]
        relations[f"type_of_claim_{end}"] = [f[1] if f else None for f in found]
    # Compared here, not by ExpectSelectColumnValuesToBeUniqueWithinRecord: GX's pandas
    # implementation builds a Series per row (27 of the gate's 46 s at 100,000 relations).
    # Both missing: no verdict (the not-null expectations report them), as GX ignores them.
    doc_a, doc_b = _column(relations, "doc_a"), _column(relations, "doc_b")
    differ = doc_a.notna() & doc_b.notna() & (doc_a.to_numpy(object) != doc_b.to_numpy(object))
    relations["docs_differ"] = differ.astype(object).where(doc_a.notna() | doc_b.notna(), None)

    story_ids = set(_column(stories, "story_id").dropna())
    doc_story = _column(docs, "story_id")
    docs["unknown_story_id"] = doc_story.where(
        doc_story.notna() & ~doc_story.isin(story_ids), None
    ).astype(object)
    members = doc_story.dropna().value_counts()
    stories["documents_with_story"] = [
        int(members.get(s, 0)) if _present(s) else None for s in _column(stories, "story_id")
    ]
    for frame in out.values():
        _lists_as_tuples(frame)
    return out


def _lists_as_tuples(frame: pd.DataFrame) -> None:
    """List cells (key terms, warnings) as tuples, in place: GX fingerprints every batch with
    pandas' row hash, which refuses arrays and falls back to pickling the whole frame (seconds
    at 100,000 relations). No expectation reads these columns' values."""
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object:
            continue
        present = column.dropna()
        if len(present) and isinstance(present.iloc[0], (list, np.ndarray)):
            frame[name] = [tuple(v) if isinstance(v, (list, np.ndarray)) else v for v in column]


# --- suites ---------------------------------------------------------------------------------


def _described(expectation: Expectation, description: str) -> Expectation:
    expectation.description = description
    return expectation


def _common(table: str, id_column: str) -> list[Expectation]:
    """Column set, not-null on required columns, and a unique id: every table has them."""
    required = REQUIRED_COLUMNS[table]
    found = [
        _described(
            # Not exact: prepare_frames adds the derived columns.
            gx.expectations.ExpectTableColumnsToMatchSet(
                column_set=list(TABLE_COLUMNS[table]), exact_match=False
            ),
            f"{table} has every column of the public table",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToBeUnique(column=id_column),
            f"{id_column} is unique",
        ),
    ]
    found += [
        _described(
            gx.expectations.ExpectColumnValuesToNotBeNull(column=column),
            f"{column} is required",
        )
        for column in required
    ]
    return found


def _offsets(table: str) -> list[Expectation]:
    """A span is exactly its document's text at its offsets, and the offsets are a range."""
    return [
        _described(
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="doc_id_in_documents", value_set=[True]
            ),
            f"{table}.doc_id is a documents.doc_id",
        ),
        _described(
            gx.expectations.ExpectColumnPairValuesToBeEqual(
                column_A="span", column_B="text_at_offsets", ignore_row_if="either_value_is_missing"
            ),
            "span == documents.text[char_start:char_end]",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToBeBetween(column="char_start", min_value=0),
            "char_start >= 0",
        ),
        _described(
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="char_end", column_B="char_start", or_equal=False
            ),
            "char_start < char_end",
        ),
    ]


def _in_set(column: str, values: tuple[str, ...]) -> Expectation:
    return _described(
        gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=list(values)),
        f"{column} is one of {', '.join(values)}",
    )


def _at_most(low: str, high: str) -> Expectation:
    """``low <= high`` where both are set: a missing bound is unbounded, not a failure."""
    return _described(
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=high, column_B=low, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        f"{low} <= {high} where both are set",
    )


def documents_expectations() -> list[Expectation]:
    return [
        *_common("documents", "doc_id"),
        _described(
            gx.expectations.ExpectColumnValuesToMatchRegex(column="text", regex=NON_BLANK_PATTERN),
            "every document has non-empty text",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToMatchRegex(column="sha256", regex=SHA256_PATTERN),
            "sha256 is 64 lowercase hex characters",
        ),
        _described(
            gx.expectations.ExpectColumnPairValuesToBeEqual(
                column_A="sha256", column_B="text_sha256"
            ),
            "sha256 is the SHA-256 of text",
        ),
        _described(
            gx.expectations.ExpectColumnPairValuesToBeEqual(
                column_A="n_chars", column_B="text_length"
            ),
            "n_chars is the length of text",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToBeNull(column="unknown_story_id"),
            "story_id, where set, is a stories.story_id",
        ),
    ]


def stories_expectations() -> list[Expectation]:
    return [
        *_common("stories", "story_id"),
        _described(
            gx.expectations.ExpectColumnValuesToBeBetween(column="documents", min_value=1),
            "every story holds a document",
        ),
        _described(
            gx.expectations.ExpectColumnPairValuesToBeEqual(
                column_A="documents", column_B="documents_with_story"
            ),
            "documents is the number of documents whose story_id is the story's",
        ),
        _at_most("first_published", "last_published"),
        _described(
            gx.expectations.ExpectColumnValuesToMatchRegex(column="label", regex=NON_BLANK_PATTERN),
            "every story has a label",
        ),
    ]


def claims_expectations() -> list[Expectation]:
    return [
        *_common("claims", "claim_id"),
        *_offsets("claims"),
        _described(
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="char_start", column_B="sentence_start", or_equal=True
            ),
            "the span starts inside its sentence (sentence_start <= char_start)",
        ),
        _in_set("kind", QUANTITY_KINDS),
        _in_set("time_basis", TIME_BASES),
        _in_set("scope_type", SCOPE_TYPES),
        _in_set("change", CHANGES),
        _in_set("stance", STANCES),
        _described(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="measure_factor", min_value=0, strict_min=True
            ),
            "measure_factor is positive",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToBeBetween(column="tolerance", min_value=0),
            "tolerance is not negative",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="date_days_match_as_of", value_set=[True]
            ),
            "a date claim has measure 'date' and low/high are its as_of days since 1970-01-01",
        ),
        _at_most("low", "value"),
        _at_most("value", "high"),
        _at_most("low", "high"),
        _at_most("as_of_start", "as_of_end"),
        _described(
            gx.expectations.ExpectColumnValuesToBeNull(column="unknown_mention_of"),
            "mention_of, where set, is a claim_id",
        ),
    ]


def facts_expectations() -> list[Expectation]:
    return [
        *_common("facts", "fact_id"),
        *_offsets("facts"),
        _in_set("polarity", POLARITIES),
    ]


def relations_expectations() -> list[Expectation]:
    found = [
        *_common("claim_relations", "relation_id"),
        _in_set("claim_type", CLAIM_TYPES),
        _in_set("relation", RELATION_KINDS),
        _described(
            gx.expectations.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=1),
            "0 <= score <= 1",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToBeInSet(column="docs_differ", value_set=[True]),
            "a relation links two different documents (doc_a != doc_b)",
        ),
        _described(
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column="reason", regex=NON_BLANK_PATTERN
            ),
            "every relation has a readable reason",
        ),
    ]
    for end in ("a", "b"):
        found += [
            _described(
                gx.expectations.ExpectColumnValuesToBeInSet(
                    column=f"claim_{end}_exists", value_set=[True]
                ),
                f"claim_{end} is a claims.claim_id or facts.fact_id",
            ),
            _described(
                gx.expectations.ExpectColumnPairValuesToBeEqual(
                    column_A=f"doc_{end}",
                    column_B=f"doc_of_claim_{end}",
                    ignore_row_if="either_value_is_missing",
                ),
                f"doc_{end} is the document of claim_{end}",
            ),
            _described(
                gx.expectations.ExpectColumnPairValuesToBeEqual(
                    column_A="claim_type",
                    column_B=f"type_of_claim_{end}",
                    ignore_row_if="either_value_is_missing",
                ),
                f"claim_type matches the table claim_{end} is in (claims: quantity, facts: fact)",
            ),
        ]
    return found


SUITE_EXPECTATIONS: dict[str, Callable[[], list[Expectation]]] = {
    "documents": documents_expectations,
    "claims": claims_expectations,
    "facts": facts_expectations,
    "claim_relations": relations_expectations,
    "stories": stories_expectations,
}


def build_suite(table: str) -> gx.ExpectationSuite:
    """A fresh, unsaved suite for ``table`` (one of :data:`TABLES`)."""
    suite = gx.ExpectationSuite(name=table)
    for expectation in SUITE_EXPECTATIONS[table]():
        suite.add_expectation(expectation)
    return suite


def describe_rules() -> dict[str, list[str]]:
    """Every rule of every suite in words, for docs and ``--help`` text."""
    return {
        table: [e.description or e.expectation_type for e in make()]
        for table, make in SUITE_EXPECTATIONS.items()
    }


__all__ = [
    "INDEX_COLUMNS",
    "REQUIRED_COLUMNS",
    "TABLES",
    "TABLE_COLUMNS",
    "build_suite",
    "describe_rules",
    "prepare_frames",
]
