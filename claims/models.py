"""pydantic models at the stage boundaries: documents in, claims and relations out.

The field names match the public DuckDB columns one to one (``claims/sql/migrations/``), and
the reason codes of relations (``Rule``) are defined here, once, for the report, the UI and SQL.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

QuantityKind = Literal[
    "count", "money", "percent", "ordinal", "duration", "measure", "date", "range"
]
QUANTITY_KINDS: tuple[str, ...] = QuantityKind.__args__  # type: ignore[attr-defined]

# How a claim's time scope was decided: from time words in its sentence, or only from the
# document's publication date (which cross-checking treats as fuzzy, see Settings).
TimeBasis = Literal["explicit", "published", "unknown"]
# What kind of figure it is over time: a state at a moment ("50 allies"), a total over a period
# ("USD 400 million this year"), or a running total ("USD 2.5 billion since 2014").
ScopeType = Literal["state", "period", "cumulative", "event"]

# A level ("58 dead"), a change ("another 700", "up 4%") or a level reached by a change ("has
# risen to 58"); and how the text holds the figure.
ChangeKind = Literal["level", "change", "new_level"]
Stance = Literal["asserted", "revised", "denied", "projected", "hypothetical"]

# A date claim's value, low and high count days from this day.
DAY_ZERO = date(1970, 1, 1)

RelationKind = Literal["agree", "conflict", "update"]
# A reviewer's verdict on a flag (``reviews.decision``), with the words the UI and the CLI show.
# "confirmed" and "dismissed" are the two verdicts `claims review` has always written.
VERDICTS: dict[str, str] = {
    "confirmed": "confirmed conflict",
    "dismissed": "not a conflict",
    "needs_context": "needs context",
    "misleading": "misleading",
    "update": "it is an update",
}
RELATION_KINDS: tuple[str, ...] = RelationKind.__args__  # type: ignore[attr-defined]


# Reason codes of relations (``claim_relations.rule``): the report, the UI and SQL filters rely
# on the values, so a code is never renamed, only added.
class Rule(StrEnum):
    """Why two claims got their relation."""

    AGREE_OVERLAP = "AGREE_OVERLAP"
    CONFLICT_DISJOINT_SAME_TIME = "CONFLICT_DISJOINT_SAME_TIME"
    CONFLICT_DENIED = "CONFLICT_DENIED"
    UPDATE_DIFFERENT_TIME = "UPDATE_DIFFERENT_TIME"
    UPDATE_REVISED = "UPDATE_REVISED"
    UPDATE_PROVISIONAL = "UPDATE_PROVISIONAL"
    UPDATE_CUMULATIVE_GROWTH = "UPDATE_CUMULATIVE_GROWTH"
    FACT_AGREE_TRIPLE = "FACT_AGREE_TRIPLE"
    FACT_CONFLICT_TIME = "FACT_CONFLICT_TIME"
    FACT_CONFLICT_POLARITY = "FACT_CONFLICT_POLARITY"
    FACT_CONFLICT_PLACE = "FACT_CONFLICT_PLACE"
    AGREE_SAME_FIGURE = "AGREE_SAME_FIGURE"

    @property
    def relation(self) -> RelationKind:
        """The relation this rule records: agree, conflict or update."""
        return MEANINGS[self][0]

    @property
    def meaning(self) -> str:
        """One sentence for docs and reports."""
        return MEANINGS[self][1]


MEANINGS: dict[Rule, tuple[RelationKind, str]] = {
    Rule.AGREE_OVERLAP: ("agree", "Same quantity; the intervals the wordings assert overlap."),
    Rule.AGREE_SAME_FIGURE: (
        "agree",
        "The same figure restated on another day under another hedge ('more than 33 million', "
        "'nearly 33 million'): it did not move.",
    ),
    Rule.CONFLICT_DISJOINT_SAME_TIME: (
        "conflict",
        "Same quantity at the same time, intervals disjoint: both cannot be true.",
    ),
    Rule.CONFLICT_DENIED: (
        "conflict",
        "A figure one source reports and another source reports as denied or refuted.",
    ),
    Rule.UPDATE_DIFFERENT_TIME: (
        "update",
        "Same moving figure (a toll, a count, a running total) at different times: the newer "
        "figure supersedes.",
    ),
    Rule.UPDATE_REVISED: (
        "update",
        "The later figure is presented as a revision or correction: it replaces the earlier one.",
    ),
    Rule.UPDATE_PROVISIONAL: (
        "update",
        "A provisional or partial figure (so far, with part of the count in) against another of "
        "the same time: stages of one count, not a contradiction.",
    ),
    Rule.UPDATE_CUMULATIVE_GROWTH: (
        "update",
        "Same running total at close but different dates and the newer one higher: it grew.",
    ),
    Rule.FACT_AGREE_TRIPLE: ("agree", "Same triple; time, place and polarity do not contradict."),
    Rule.FACT_CONFLICT_TIME: ("conflict", "Same one-off event triple at disjoint times."),
    Rule.FACT_CONFLICT_POLARITY: ("conflict", "Same triple, asserted by one and denied by one."),
    Rule.FACT_CONFLICT_PLACE: ("conflict", "Same event triple placed in different places."),
}


def stable_id(prefix: str, *parts: object) -> str:
    """A short id that depends only on ``parts``: the same input gives the same id in every run."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:16]}"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Document(BaseModel):
    """One article as stored: ``text`` is what every claim's offsets point into."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    source_path: str
    text: str
    sha256: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    published_source: str | None = Field(
        None, description="Where the date came from: front matter, manifest, jsonl, text."
    )
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def build(cls, *, doc_id: str, source_path: str, text: str, **meta: object) -> Document:
        return cls(
            doc_id=doc_id, source_path=source_path, text=text, sha256=text_sha256(text), **meta
        )  # type: ignore[arg-type]


class Rejection(BaseModel):
    """A document the run could not use, and why."""

    source_path: str
    reason: str
    detail: str


class QuantityClaim(BaseModel):
    """A number a document asserts about the world, with the interval its wording asserts."""

    claim_id: str
    doc_id: str
    kind: QuantityKind
    span: str
    char_start: int = Field(ge=0)
    char_end: int = Field(ge=0)
    sentence: str
    sentence_start: int = Field(ge=0)
    value: float | None
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    qualifier: str | None = None
    unit: str | None = None
    measure: str | None = Field(
        None, description="The unit's synonym class (troop, death, country, USD...) for matching."
    )
    subject: str | None = None
    key_terms: list[str] = Field(default_factory=list)
    as_of_start: date | None = None
    as_of_end: date | None = None
    time_basis: TimeBasis = "unknown"
    time_text: str | None = None
    scope_type: ScopeType = "state"
    attributed_to: str | None = None
    mention_of: str | None = Field(
        None, description="claim_id of an earlier mention of the same figure in the same document."
    )
    change: ChangeKind = "level"
    stance: Stance = "asserted"
    revises: float | None = Field(
        None, description="For a revised figure, the figure it replaces when the text gives it."
    )
    tolerance: float = Field(
        0.0, ge=0, description="Half a unit of the last significant digit of an exact figure."
    )
    measure_factor: float = Field(
        1.0, gt=0, description="value, low and high times this are in the measure's base unit."
    )
    # What the figure counts, read from its sentence (claims.crosscheck.reading).
    counted: str | None = Field(
        None, description="For counts of people, what happened to them: dead, missing, ..."
    )
    holder: str | None = Field(None, description="Whose figure it is: the name next to it.")
    facets: list[str] = Field(
        default_factory=list, description="Words that tell quantities apart: side=leave, ..."
    )
    cues: list[str] = Field(
        default_factory=list,
        description="part, change, estimate, provisional, fixed, slow, year=YYYY.",
    )
    places: list[str] = Field(default_factory=list, description="Named places it is about.")
    context_words: list[str] = Field(
        default_factory=list, description="Content words that describe it, folded."
    )

    @staticmethod
    def make_id(doc_sha256: str, char_start: int, char_end: int) -> str:
        return stable_id("q", doc_sha256, char_start, char_end)


class FactClaim(BaseModel):
    """A statement of fact between entities: (subject, predicate, object) + time, place, polarity."""

    fact_id: str
    doc_id: str
    span: str
    char_start: int = Field(ge=0)
    char_end: int = Field(ge=0)
    sentence: str
    subject: str
    predicate: str
    object: str
    time: str | None = None
    place: str | None = None
    polarity: Literal["positive", "negative"] = "positive"
    attributed_to: str | None = None

    @staticmethod
    def make_id(doc_sha256: str, char_start: int, char_end: int, predicate: str) -> str:
        return stable_id("f", doc_sha256, char_start, char_end, predicate)


class Extraction(BaseModel):
    """What the extractor found in one document."""

    doc_id: str
    sha256: str
    claims: list[QuantityClaim] = Field(default_factory=list)
    facts: list[FactClaim] = Field(default_factory=list)


class Relation(BaseModel):
    """A cross-document relation between two claims (quantity or fact)."""

    relation_id: str
    claim_a: str
    claim_b: str
    doc_a: str
    doc_b: str
    claim_type: Literal["quantity", "fact"]
    relation: RelationKind
    rule: str = Field(description="Reason code of the rule that decided (claims.crosscheck.Rule).")
    reason: str = Field(description="A sentence a reviewer can read.")
    score: float = Field(ge=0, le=1)
    shared_terms: list[str] = Field(default_factory=list)

    @staticmethod
    def make_id(claim_a: str, claim_b: str, relation: str) -> str:
        a, b = sorted((claim_a, claim_b))
        return stable_id("r", a, b, relation)


class RunSummary(BaseModel):
    """What one run did; also a row of the ``runs`` table."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    # skipped: nothing to validate or publish (nothing changed, or no document was read).
    # abandoned: its process died before it recorded an outcome (the next run records it).
    status: Literal["running", "published", "skipped", "gate_failed", "failed", "abandoned"] = (
        "running"
    )
    inputs: list[str] = Field(default_factory=list)
    documents: int = 0
    documents_extracted: int = 0
    documents_unchanged: int = 0
    documents_rejected: int = 0
    claims: int = 0
    facts: int = 0
    relations: int = 0
    agreements: int = 0
    conflicts: int = 0
    updates: int = 0
    gate_passed: bool | None = None
    failed_expectations: list[str] = Field(default_factory=list)
    report_path: str | None = None
    error: str | None = None
    crosscheck_key: str | None = None
    relations_recomputed: bool | None = None
    tables_changed: bool | None = None


def gate_words(status: str, gate_passed: bool | None, documents: int | None) -> str:
    """A run's gate outcome in the words the CLI, the flow, the report and the UI use."""
    if status == "skipped":
        if not documents:
            return "not run: no document was read, nothing was published"
        return "not run: nothing changed, the published tables stay as they were"
    if gate_passed is None:
        return "not run"
    return "passed" if gate_passed else "FAILED — nothing was published"
