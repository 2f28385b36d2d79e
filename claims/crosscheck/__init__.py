"""Cross-document verification: which claims of different documents agree, conflict or update.

Two quantity claims are compared only when they are the same quantity: same ``kind``, same
``measure`` (the unit's synonym class, ``claims/data/synonyms.json``), same ``scope_type``, at
least one shared key term, and compatible key terms. Their time scopes and intervals then
decide the relation (shared/CLAIMS.md); each carries a ``Rule`` code and a readable reason.

Key terms, as the extractor writes them in ``QuantityClaim.key_terms``:

* ``"LABEL:text"`` for a named entity, LABEL its spaCy label (``GPE:crimea``, ``NORP:russian``,
  ``ORG:ukraine defense contact group``), and ``LOC:text`` for a locative noun ("on the border"
  -> ``LOC:border``). Labels are read in any case.
* ``"term:text"`` (or bare ``"text"``) for any other content word (``term:civilian``).
* Only words of the counted noun phrase and what modifies it ("Russian troops in Crimea"), not
  the clause's agent ("Russia's aggression has claimed 14,000 lives" -> no ``GPE:russia``).
  Text is normalised again here (case, diacritics, "the", possessives, spellings, aliases).

Terms have roles (``claims/data/crosscheck.json``). Two claims are different quantities when,
for some role, their terms cannot be reconciled: places, organisations and people must be
covered one way ("troops" meets "troops in Crimea", "troops in Crimea" does not meet "troops
on the border"); nationalities must match when both name one ("Russian troops" never meets
"Ukrainian troops"); categories must match exactly ("civilian deaths" never meets "deaths").
Claims sharing no key term are never related: the measure alone ("50 countries") does not say
what is counted (a plain term naming the unit itself, "term:troop" on a troop count, is
ignored); two claims that both name entities must share one of them (a shared plain word such
as "aid" is not enough); and two claims that both have descriptive words (plain terms other
than the unit) must share one: "a USD 60 million package" and "a USD 500 million loan" to
Ukraine in the same week are not one quantity. When unsure, do not flag.

Blocking (never all pairs): claims are grouped by (kind, measure, scope_type); a claim with
descriptive words is placed in a block per (group, entity, word), and every claim in a block
per (group, entity) where only claims without words look for partners. Within a block claims
are sorted by time and each is compared with at most ``Settings.crosscheck_window``
neighbours (sorted neighbourhood), all in numpy, so the cost grows linearly with the claims;
Python runs only per distinct term, per distinct pair of term sets, and per relation written.

This module holds the rules, the interval and time-scope helpers and the public API; the numpy
engine for quantities is ``claims/quantitycheck.py``, the checks of factual triples
``claims/factcheck.py``.
"""

from __future__ import annotations

import gc
import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from operator import attrgetter
from pathlib import Path

import pandas as pd

from claims.extract.numbers import rounding_tolerance
from claims.lexicon import (
    conflicting_role,
    crosscheck_lexicon,
    fold,
    measure_for,
    term_set,
)
from claims.models import Document, FactClaim, QuantityClaim, Relation, RelationKind
from claims.settings import Settings

_INF = math.inf
_SCOPES = ("state", "period", "cumulative", "event")
_STATE, _PERIOD, _CUMULATIVE, _EVENT = range(4)


class Rule(StrEnum):
    """Reason codes, defined only here; the report and SQL filters rely on the values."""

    AGREE_OVERLAP = "AGREE_OVERLAP"
    CONFLICT_DISJOINT_SAME_TIME = "CONFLICT_DISJOINT_SAME_TIME"
    UPDATE_DIFFERENT_TIME = "UPDATE_DIFFERENT_TIME"
    UPDATE_CUMULATIVE_GROWTH = "UPDATE_CUMULATIVE_GROWTH"
    FACT_AGREE_TRIPLE = "FACT_AGREE_TRIPLE"
    FACT_CONFLICT_TIME = "FACT_CONFLICT_TIME"
    FACT_CONFLICT_POLARITY = "FACT_CONFLICT_POLARITY"
    FACT_CONFLICT_PLACE = "FACT_CONFLICT_PLACE"

    @property
    def relation(self) -> RelationKind:
        """The relation this rule records: agree, conflict or update."""
        return _MEANING[self][0]

    @property
    def meaning(self) -> str:
        """One sentence for docs and reports."""
        return _MEANING[self][1]


_MEANING: dict[Rule, tuple[RelationKind, str]] = {
    Rule.AGREE_OVERLAP: ("agree", "Same quantity, time scopes overlap, intervals overlap."),
    Rule.CONFLICT_DISJOINT_SAME_TIME: (
        "conflict",
        "Same quantity, time scopes overlap, intervals disjoint: both cannot be true.",
    ),
    Rule.UPDATE_DIFFERENT_TIME: (
        "update",
        "Same state or running total at disjoint times: the newer figure supersedes.",
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
_CODES = list(Rule)


# --- intervals and time scopes -----------------------------------------------------------------

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def half_unit(value: float, span: str) -> float:
    """Half a unit of the last significant digit of ``value`` as written in ``span``
    ("14,000" -> 500, "$2.3 billion" -> 50 million).

    A numeral in digits is read here; anything else ("seven", "a dozen") is left to
    ``claims.numbers.rounding_tolerance``, which reads every number form but costs ~100x more.
    """
    for token in _NUMBER.findall(span):
        digits = token.replace(",", "")
        written = float(digits)
        if written == 0:
            continue
        scale = value / written
        if not any(math.isclose(scale, 10.0**k, rel_tol=1e-9) for k in (0, 3, 6, 9, 12)):
            continue
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        zeros = 0 if decimals else len(digits) - len(digits.rstrip("0"))
        return 0.5 * 10.0 ** (zeros - decimals) * round(scale)
    return rounding_tolerance(value, span)


def _interval(c: QuantityClaim, settings: Settings) -> tuple[float, float, bool, bool]:
    lo = -_INF if c.low is None else c.low
    hi = _INF if c.high is None else c.high
    if settings.rounding_tolerance and c.qualifier is None and c.value == lo == hi:
        half = half_unit(c.value, c.span)
        return lo - half, hi + half, True, True
    return lo, hi, c.low_inclusive, c.high_inclusive


def intervals_overlap(
    a: tuple[float, float, bool, bool], b: tuple[float, float, bool, bool]
) -> bool:
    """Whether two intervals (lo, hi, lo_inclusive, hi_inclusive) share a point; ±inf = open."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if lo != hi:
        return lo < hi
    return all((x[0] < lo or x[2]) and (x[1] > lo or x[3]) for x in (a, b))


def format_interval(lo: float, hi: float, lo_inc: bool, hi_inc: bool) -> str:
    """``(50, ∞)``, ``[45, 50)``: brackets for inclusive ends, parentheses for open ones."""
    left = "[" if lo_inc and lo > -_INF else "("
    right = "]" if hi_inc and hi < _INF else ")"
    return f"{left}{_num(lo)}, {_num(hi)}{right}"


def _num(v: float) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        # Only round figures get a scale word, so that no digit of the figure is lost.
        if abs(v) >= scale and float(v * 1000 / scale).is_integer():
            return f"{v / scale:,.4g} {word}"
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _scope_of(
    c: QuantityClaim, documents: Mapping[str, Document], settings: Settings
) -> tuple[int, int, int] | None:
    """(start, end, days to widen each side) of a claim's time scope, as date ordinals."""
    start, end = c.as_of_start or c.as_of_end, c.as_of_end or c.as_of_start
    basis = c.time_basis
    if start is None or end is None:
        doc = documents.get(c.doc_id)
        if doc is None or doc.published is None:
            return None
        start = end = doc.published
        basis = "published"
    if start > end:
        start, end = end, start
    if basis == "explicit":
        widen = 0
    elif c.scope_type == "event":
        widen = min(settings.event_time_tolerance_days, settings.same_time_tolerance_days)
    else:
        widen = settings.same_time_tolerance_days
    return start.toordinal(), end.toordinal(), widen


# --- public API --------------------------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
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


def cross_check_frame(
    claims: Sequence[QuantityClaim],
    facts: Sequence[FactClaim],
    documents: Mapping[str, Document],
    settings: Settings,
) -> pd.DataFrame:
    """Relations between claims of different documents (agree, conflict or update), as a
    DataFrame with ``Relation``'s columns: what the pipeline stages in DuckDB.

    Only first mentions take part (``mention_of`` is None). A claim without a time scope falls
    back to its document's publication date; one with neither, or with no key terms, is not
    compared. Deterministic: rows are sorted and ids are stable (``Relation.make_id``).
    """
    from claims.crosscheck.facts import check_facts
    from claims.crosscheck.quantities import check_quantities, to_columns

    with _gc_paused():
        facts_related = check_facts(facts, documents, settings)
        facts_related.sort(key=attrgetter("doc_a", "doc_b", "claim_a", "claim_b"))
        # "fact" sorts before "quantity"; quantity relations come out of their arrays sorted.
        quantities = check_quantities(claims, documents, settings)
        columns = to_columns(facts_related)
        for name, values in quantities.items():
            columns[name] = [*columns[name], *values]
        frame = pd.DataFrame(columns, columns=list(Relation.model_fields))
        return frame.astype({"score": float})


def cross_check(
    claims: Sequence[QuantityClaim],
    facts: Sequence[FactClaim],
    documents: Mapping[str, Document],
    settings: Settings,
) -> list[Relation]:
    """``cross_check_frame`` as ``Relation`` models, for library use and tests."""
    frame = cross_check_frame(claims, facts, documents, settings)
    make = Relation.model_construct
    return [make(**row) for row in frame.to_dict("records")]


# Settings that cannot change a relation: where things go and how the work is cut up.
_KEY_EXCLUDED = {
    "db",
    "reports_dir",
    "batch_size",
    "parse_batch_size",
    "n_process",
    "report_max_items",
}
# The code that decides relations besides this subpackage; a change to any of it must
# recompute them.
_KEY_MODULES = ("lexicon.py", "models.py", "extract/numbers/__init__.py")


def crosscheck_key(settings: Settings) -> str:
    """A hash of everything that decides relations besides the claims: the settings, the
    lexicon files users edit, and the code (this whole subpackage). Equal keys and equal
    claims give equal relations."""
    digest = hashlib.sha256()
    relevant = settings.model_dump(mode="json", exclude=_KEY_EXCLUDED | {"data_dir"})
    digest.update(repr(sorted(relevant.items())).encode())
    for path in sorted(Path(settings.data_dir).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    here = Path(__file__).parent
    sources = [*sorted(here.rglob("*.py")), *(here.parent / name for name in _KEY_MODULES)]
    for path in sources:
        digest.update(path.relative_to(here.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def merge_mentions(claims: Sequence[QuantityClaim], settings: Settings) -> list[QuantityClaim]:
    """Within one document, mark repeated mentions of the same figure.

    A later claim gets ``mention_of`` = the ``claim_id`` of the first mention when both have
    the same kind and measure, the same stated value (or, for vague amounts such as "tens of
    thousands", the same wording and interval and a shared key term), overlapping intervals
    and time scopes, and compatible key terms. Returns a new list in the input order.
    """
    out = list(claims)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for k, c in enumerate(claims):
        by_doc[c.doc_id].append(k)
    for positions in by_doc.values():
        positions.sort(key=lambda k: (claims[k].char_start, claims[k].char_end, claims[k].claim_id))
        firsts: list[QuantityClaim] = []
        for k in positions:
            c = claims[k]
            if c.mention_of is not None:
                continue
            first = next((f for f in firsts if _same_figure(f, c, settings)), None)
            if first is None:
                firsts.append(c)
            else:
                out[k] = c.model_copy(update={"mention_of": first.claim_id})
    return out


def _same_figure(a: QuantityClaim, b: QuantityClaim, settings: Settings) -> bool:
    data_dir = settings.data_dir
    measure = a.measure or measure_for(a.unit, data_dir)
    if (
        a.kind != b.kind
        or measure is None
        or measure != (b.measure or measure_for(b.unit, data_dir))
    ):
        return False
    ta, tb = term_set(tuple(a.key_terms), data_dir), term_set(tuple(b.key_terms), data_dir)
    if a.value is None and b.value is None:
        same_words = fold(a.qualifier or "") == fold(b.qualifier or "")
        bounds = (a.low, a.high, a.low_inclusive, a.high_inclusive)
        if not same_words or bounds != (b.low, b.high, b.low_inclusive, b.high_inclusive):
            return False
        # A vague amount repeated is the same figure only if something beyond the unit is shared.
        units = {t.anchor for t in (*ta.terms, *tb.terms) if t.role is None and t.word == measure}
        if not (ta.anchors & tb.anchors) - units:
            return False
    elif a.value is None or b.value is None or not math.isclose(a.value, b.value, rel_tol=1e-9):
        return False
    if not intervals_overlap(_interval(a, settings), _interval(b, settings)):
        return False
    sa, sb = _scope_of(a, {}, settings), _scope_of(b, {}, settings)
    if sa and sb and max(sa[0] - sa[2], sb[0] - sb[2]) > min(sa[1] + sa[2], sb[1] + sb[2]):
        return False
    return conflicting_role(ta, tb, crosscheck_lexicon(data_dir)) is None
