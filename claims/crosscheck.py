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
"""

from __future__ import annotations

import calendar
import gc
import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from claims.lexicon import (
    CrosscheckLexicon,
    KeyTerm,
    conflicting_role,
    content_words,
    crosscheck_lexicon,
    fold,
    measure_for,
    normalize_name,
    parse_key_term,
    role_compatible,
    term_set,
)
from claims.models import Document, FactClaim, QuantityClaim, Relation, RelationKind
from claims.numbers import rounding_tolerance
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


_TEXT = StringDType()
_EPOCH = date(1970, 1, 1).toordinal()
_RULE_TEXT = np.array([r.value for r in Rule], dtype=_TEXT)
_RULE_CODE = np.array([r.value for r in Rule], dtype=object)
_RELATION_KIND = np.array([_MEANING[r][0] for r in Rule], dtype=object)

# Relations as columns named like ``Relation``'s fields, in its order.
Columns = dict[str, Any]


def _no_columns() -> Columns:
    return {name: [] for name in Relation.model_fields}


def _to_columns(relations: Sequence[Relation]) -> Columns:
    return {name: [getattr(r, name) for r in relations] for name in Relation.model_fields}


_SCOPE_TEXT = np.array(_SCOPES, dtype=_TEXT)


def _days(ordinals: np.ndarray) -> np.ndarray:
    """ISO dates of date ordinals, as a numpy string array."""
    return np.datetime_as_string((ordinals - _EPOCH).astype("datetime64[D]")).astype(_TEXT)


# --- quantity claims as arrays -----------------------------------------------------------------


@dataclass
class _Lists:
    """A list of distinct item ids per claim, as arrays: claim i has
    ``items[ptr[i]:ptr[i + 1]]`` (compressed sparse rows)."""

    ptr: np.ndarray
    items: np.ndarray
    width: int  # one more than the largest item id

    @classmethod
    def build(cls, n: int, owner: np.ndarray, item: np.ndarray) -> _Lists:
        width = int(item.max(initial=0)) + 1
        codes = _distinct(owner * width + item)
        return cls(np.searchsorted(codes // width, np.arange(n + 1)), codes % width, width)

    def sizes(self, rows: np.ndarray) -> np.ndarray:
        return self.ptr[rows + 1] - self.ptr[rows]

    def total(self, rows: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """For each row, the summed weight of its items."""
        running = np.r_[0.0, np.cumsum(weight[self.items])]
        return running[self.ptr[rows + 1]] - running[self.ptr[rows]]

    def shared(self, a: np.ndarray, b: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """For each pair k, how many items (or their summed weight) rows a[k] and b[k] share."""
        pair_a, at_a = _expand(self.ptr[a], self.sizes(a))
        pair_b, at_b = _expand(self.ptr[b], self.sizes(b))
        codes = np.concatenate(
            (pair_a * self.width + self.items[at_a], pair_b * self.width + self.items[at_b])
        )
        codes.sort()
        twice = codes[1:][codes[1:] == codes[:-1]]
        each = None if weight is None else weight[twice % self.width]
        return np.bincount(twice // self.width, weights=each, minlength=len(a))

    def rarity(self) -> np.ndarray:
        """Smoothed inverse document frequency of each item over the rows: a word most claims
        use says little about which quantity a claim is about."""
        rows = len(self.ptr) - 1
        frequency = np.bincount(self.items, minlength=self.width)
        return np.log((rows + 1) / (frequency + 1)) + 1


@dataclass
class _Claims:
    """The claims taking part as parallel arrays (index = position in ``claims``), and their
    parsed key terms in CSR form: claim i has ``kterms[t]`` for t in
    ``term_ids[term_ptr[i]:term_ptr[i + 1]]``."""

    claims: list[QuantityClaim]
    measure: list[str]
    start: np.ndarray  # raw time scope, date ordinals
    end: np.ndarray
    widen: np.ndarray  # days the scope is stretched on each side
    doc: np.ndarray
    scope: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    lo_inc: np.ndarray
    hi_inc: np.ndarray
    kterms: list[KeyTerm]
    term_ptr: np.ndarray
    term_ids: np.ndarray
    roles: dict[str, np.ndarray]  # per role: each claim's term-set id (0: no term of the role)
    role_owner: dict[str, np.ndarray]  # per role: a claim holding each term-set id
    role_single: dict[str, np.ndarray]  # per role: the term of each one-term set, else -1
    matching: np.ndarray  # sorted codes x * len(kterms) + y of distinct terms that match
    anchors: _Lists  # per claim: ids of its key terms' anchors
    entity_anchors: _Lists  # per claim: ids of its entity terms' anchors
    word_ids: _Lists  # per claim: ids of its descriptive words
    group: np.ndarray  # id of the claim's (kind, measure, scope_type)
    keys: _Lists  # per claim: the anchors it is blocked by (its entities', else all)

    def __post_init__(self) -> None:
        self._terms: dict[int, list[KeyTerm]] = {}

    def terms(self, i: int) -> list[KeyTerm]:
        if i not in self._terms:
            ids = self.term_ids[self.term_ptr[i] : self.term_ptr[i + 1]].tolist()
            self._terms[i] = [self.kterms[t] for t in ids]
        return self._terms[i]

    def role_set(self, role: str, set_id: int) -> tuple[KeyTerm, ...]:
        if set_id == 0:
            return ()
        return tuple(t for t in self.terms(int(self.role_owner[role][set_id])) if t.role == role)


def _prepare(
    claims: Sequence[QuantityClaim], documents: Mapping[str, Document], settings: Settings
) -> _Claims:
    lex, data_dir = crosscheck_lexicon(settings.data_dir), settings.data_dir
    groups: dict[tuple[str, str, str], int] = {}
    docs: dict[str, int] = {}
    kept: list[QuantityClaim] = []
    measures: list[str] = []
    rows: list[tuple] = []
    group_of: list[int] = []
    flat: list[str] = []
    counts: list[int] = []
    scope_code = {name: k for k, name in enumerate(_SCOPES)}
    fields = attrgetter("mention_of", "kind", "key_terms", "measure", "scope_type", "doc_id")
    for c in sorted(claims, key=attrgetter("claim_id")):
        mention, kind, terms, measure, scope_type, doc_id = fields(c)
        if mention is not None or kind in lex.skip_kinds or not terms:
            continue
        measure = measure or measure_for(c.unit, data_dir)
        when = _scope_of(c, documents, settings)
        if measure is None or when is None or (c.low is None and c.high is None):
            continue
        kept.append(c)
        measures.append(measure)
        group_of.append(groups.setdefault((kind, measure, scope_type), len(groups)))
        doc = docs.setdefault(doc_id, len(docs))
        rows.append((*when, doc, scope_code[scope_type], *_interval(c, settings)))
        flat.extend(terms)
        counts.append(len(terms))
    n = len(kept)
    raw_ids = {r: k for k, r in enumerate(dict.fromkeys(flat))}
    cols = list(zip(*rows, strict=True)) if rows else [()] * 9
    start, end, widen, doc_ids, scope = (np.array(col, dtype=np.int64) for col in cols[:5])
    lo, hi = (np.array(col, dtype=np.float64) for col in cols[5:7])
    lo_inc, hi_inc = (np.array(col, dtype=bool) for col in cols[7:9])

    # Each distinct term string is parsed once; the rest is array work.
    distinct: dict[KeyTerm, int] = {}
    parsed = [parse_key_term(r, data_dir) for r in raw_ids]
    to_term = np.array([distinct.setdefault(t, len(distinct)) if t else -1 for t in parsed] + [-1])
    kterms = list(distinct)
    n_terms = max(len(kterms), 1)
    owner = np.repeat(np.arange(n), counts)
    term = to_term[np.fromiter(map(raw_ids.__getitem__, flat), np.int64, len(flat))]
    pairs = _distinct(owner[term >= 0] * n_terms + term[term >= 0])
    e_claim, e_term = pairs // n_terms, pairs % n_terms
    words: dict[str, int] = {}
    t_word = np.array(
        [words.setdefault(t.word, len(words)) if t.role is None else -1 for t in kterms] + [-1]
    )
    unit_word = np.array([words.get(m, -2) for m in measures] + [-2], dtype=np.int64)
    has_plain = np.zeros(n, dtype=bool)
    has_plain[e_claim[t_word[e_term] >= 0]] = True
    # A plain term naming the unit ("term:troop" on a troop count) adds nothing to the measure.
    keep = t_word[e_term] != unit_word[e_claim]
    e_claim, e_term = e_claim[keep], e_term[keep]
    term_ptr = np.searchsorted(e_claim, np.arange(n + 1))

    anchors: dict[str, int] = {}
    t_anchor = np.array([anchors.setdefault(t.anchor, len(anchors)) for t in kterms] + [0])
    t_entity = np.array([t.label is not None for t in kterms] + [False])
    # Claims naming entities meet only through a shared entity; others through plain words.
    has_entity = np.zeros(n, dtype=bool)
    has_entity[e_claim[t_entity[e_term]]] = True
    use = t_entity[e_term] | ~has_entity[e_claim]

    roles, role_owner, role_single = _role_sets(n, e_claim, e_term, kterms)
    plain = t_word[e_term] >= 0
    word_owner, word_item = [e_claim[plain]], [t_word[e_term[plain]]]
    # Claims whose key terms have no plain word are described by their subject instead.
    for i in np.flatnonzero(~has_plain).tolist():
        named = {
            x
            for t in (kterms[k] for k in e_term[term_ptr[i] : term_ptr[i + 1]])
            for x in (t.text, t.anchor)
        }
        said = sorted(content_words(kept[i].subject, data_dir) - named - {measures[i]})
        word_owner.append(np.full(len(said), i))
        word_item.append(np.array([words.setdefault(w, len(words)) for w in said], dtype=np.int64))
    entity_entries = t_entity[e_term]
    return _Claims(
        claims=kept,
        measure=measures,
        start=start,
        end=end,
        widen=widen,
        doc=doc_ids,
        scope=scope,
        lo=lo,
        hi=hi,
        lo_inc=lo_inc,
        hi_inc=hi_inc,
        kterms=kterms,
        term_ptr=term_ptr,
        term_ids=e_term,
        roles=roles,
        role_owner=role_owner,
        role_single=role_single,
        matching=_matching(kterms),
        anchors=_Lists.build(n, e_claim, t_anchor[e_term]),
        entity_anchors=_Lists.build(n, e_claim[entity_entries], t_anchor[e_term[entity_entries]]),
        word_ids=_Lists.build(n, np.concatenate(word_owner), np.concatenate(word_item)),
        group=np.array(group_of, dtype=np.int64),
        keys=_Lists.build(n, e_claim[use], t_anchor[e_term[use]]),
    )


def _role_sets(
    n: int, e_claim: np.ndarray, e_term: np.ndarray, kterms: list[KeyTerm]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per role: each claim's term-set id, a claim holding each set, each one-term set's term.

    A set's id comes from the sum of random 64-bit codes of its terms (a set hash), so equal
    sets get equal ids without comparing them.
    """
    codes = np.random.default_rng(0).integers(1, 2**62, size=len(kterms) + 1).astype(np.uint64)
    roles, owner, single = {}, {}, {}
    t_role = [t.role for t in kterms] + [None]
    for role in sorted({r for r in t_role if r}):
        sel = np.array([r == role for r in t_role])[e_term]
        rc, rt = e_claim[sel], e_term[sel]
        heads = np.flatnonzero(np.r_[True, rc[1:] != rc[:-1]])
        _, inverse = np.unique(np.add.reduceat(codes[rt], heads), return_inverse=True)
        roles[role] = np.zeros(n, dtype=np.int64)
        roles[role][rc[heads]] = inverse + 1
        owner[role] = np.zeros(int(inverse.max(initial=0)) + 2, dtype=np.int64)
        owner[role][inverse + 1] = rc[heads]
        single[role] = np.full(len(owner[role]), -1, dtype=np.int64)
        alone = np.diff(np.r_[heads, len(rc)]) == 1
        single[role][inverse[alone] + 1] = rt[heads[alone]]
    return roles, owner, single


def _matching(kterms: list[KeyTerm]) -> np.ndarray:
    """Codes of the pairs of distinct terms that match (``KeyTerm.matches``): same anchor, or
    one's words a run of the other's."""
    by_text: dict[str, list[int]] = defaultdict(list)
    by_anchor: dict[str, list[int]] = defaultdict(list)
    for k, t in enumerate(kterms):
        by_text[t.text].append(k)
        by_anchor[t.anchor].append(k)
    pairs = {(x, y) for group in by_anchor.values() for x in group for y in group if x != y}
    for k, t in enumerate(kterms):
        words = t.text.split()
        for size in range(1, len(words)):
            for first in range(len(words) - size + 1):
                for m in by_text.get(" ".join(words[first : first + size]), ()):
                    pairs.update(((k, m), (m, k)))
    n = max(len(kterms), 1)
    return np.array(sorted(x * n + y for x, y in pairs), dtype=np.int64)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values; ``np.unique`` (hash-based in numpy 2.4) is ~20x slower here."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _expand(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row k: k repeated count[k] times, with positions first[k], first[k] + 1, ..."""
    rows = np.repeat(np.arange(len(first)), count)
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return rows, np.repeat(first, count) + offsets


def _entries(q: _Claims) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Blocking entries: block id, claim, whether it compares forward and whether backward.

    A claim with descriptive words is blocked by each (group, key anchor, word) and compared
    forward there: it meets claims sharing an entity and a word. Every claim is also blocked by
    (group, key anchor), where only claims without words compare, in both directions: they
    meet anyone sharing an entity.
    """
    claims = np.arange(len(q.claims))
    rows, at = _expand(q.keys.ptr[:-1], q.keys.sizes(claims))
    anchor = q.keys.items[at]
    word_rows, word_at = _expand(q.word_ids.ptr[rows], q.word_ids.sizes(rows))
    rows_a = rows[word_rows]
    plain = (q.group[rows] * q.keys.width + anchor) * 2
    worded = (
        (q.group[rows_a] * q.keys.width + anchor[word_rows]) * q.word_ids.width
        + q.word_ids.items[word_at]
    ) * 2 + 1
    _, block = np.unique(np.concatenate((plain, worded)), return_inverse=True)
    claim = np.concatenate((rows, rows_a))
    wordless = q.word_ids.sizes(rows) == 0
    starts = np.concatenate((wordless, np.ones(len(rows_a), dtype=bool)))
    back = np.concatenate((wordless, np.zeros(len(rows_a), dtype=bool)))
    return block, claim, starts, back


def _candidates(q: _Claims, window: int, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Each pair worth deciding, once: same block, different documents, at most ``window``
    neighbours apart in time order, with overlapping scopes or (states and running totals
    only) a later scope starting within ``max_gap`` days."""
    block, claim, starts, back = _entries(q)
    if not len(claim):
        return claim, claim
    wstart, wend = q.start[claim] - q.widen[claim], q.end[claim] + q.widen[claim]
    order = np.lexsort((claim, wstart, block))
    block, claim, starts, back = block[order], claim[order], starts[order], back[order]
    wstart, wend = wstart[order], wend[order]
    base = int(wstart.min())
    span = int(wend.max()) - base + max_gap + 2
    key = block * span + (wstart - base)
    position = np.arange(len(key))
    # Entries are sorted by start within a block, so those between this one and the first
    # starting after its end overlap it in time, and those from there on are later.
    later = np.searchsorted(key, block * span + (wend - base), side="right")
    horizon = np.searchsorted(key, block * span + (wend - base) + max_gap, side="right")
    first = np.searchsorted(key, block * span, side="left")
    updatable = (q.scope[claim] == _STATE) | (q.scope[claim] == _CUMULATIVE)
    same = np.where(starts, np.minimum(later - position - 1, window), 0)
    after = np.where(starts & updatable, np.minimum(horizon - later, window), 0)
    # In (group, anchor) blocks only claims without words compare, so they also look back.
    before = np.where(back, np.minimum(position - first, window), 0)
    pieces = [
        _expand(position + 1, same),
        _expand(later, after),
        _expand(position - before, before),
    ]
    a = claim[np.concatenate([rows for rows, _ in pieces])]
    b = claim[np.concatenate([cols for _, cols in pieces])]
    keep = q.doc[a] != q.doc[b]
    low, high = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    codes = _distinct(low * len(q.claims) + high)
    return codes // len(q.claims), codes % len(q.claims)


def _decide(
    q: _Claims, a: np.ndarray, b: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order each pair older first and give it a rule index into ``_CODES`` (pairs with no
    rule are dropped)."""
    swap = (q.end[b] < q.end[a]) | ((q.end[b] == q.end[a]) & (q.start[b] < q.start[a]))
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    same_time = np.maximum(q.start[a] - q.widen[a], q.start[b] - q.widen[b]) <= np.minimum(
        q.end[a] + q.widen[a], q.end[b] + q.widen[b]
    )
    lo, hi = np.maximum(q.lo[a], q.lo[b]), np.minimum(q.hi[a], q.hi[b])

    def holds(x: np.ndarray) -> np.ndarray:
        return ((q.lo[x] < lo) | q.lo_inc[x]) & ((q.hi[x] > lo) | q.hi_inc[x])

    overlap = (lo < hi) | ((lo == hi) & holds(a) & holds(b))
    grew = (q.scope[a] == _CUMULATIVE) & (q.end[a] < q.end[b]) & (q.lo[b] >= q.hi[a])
    updatable = (q.scope[a] == _STATE) | (q.scope[a] == _CUMULATIVE)
    rule = np.full(len(a), -1, dtype=np.int64)
    rule[same_time & overlap] = _CODES.index(Rule.AGREE_OVERLAP)
    rule[same_time & ~overlap] = _CODES.index(Rule.CONFLICT_DISJOINT_SAME_TIME)
    rule[same_time & ~overlap & grew] = _CODES.index(Rule.UPDATE_CUMULATIVE_GROWTH)
    near = q.start[b] - q.widen[b] - (q.end[a] + q.widen[a]) <= max_gap
    rule[~same_time & updatable & near] = _CODES.index(Rule.UPDATE_DIFFERENT_TIME)
    keep = rule >= 0
    return a[keep], b[keep], rule[keep]


def _nearest_updates(q: _Claims, a: np.ndarray, b: np.ndarray, rule: np.ndarray) -> np.ndarray:
    """Keep an update only towards the nearest later scope of each older claim, so a series of
    figures becomes a chain of updates rather than every pair of it."""
    keep = np.ones(len(a), dtype=bool)
    updates = np.flatnonzero(rule == _CODES.index(Rule.UPDATE_DIFFERENT_TIME))
    if len(updates):
        order = updates[np.lexsort((q.start[b[updates]], a[updates]))]
        heads = np.r_[True, a[order][1:] != a[order][:-1]]
        head = np.maximum.accumulate(np.where(heads, np.arange(len(order)), 0))
        keep[order] = q.start[b[order]] == q.start[b[order]][head]
    return keep


# --- one pair: gate, score, reason ----------------------------------------------------------------


class _Judge:
    """Per-pair work for the pairs that survive the array stage, with per-claim caches."""

    def __init__(self, q: _Claims, settings: Settings) -> None:
        self.q, self.settings = q, settings
        self.lex = crosscheck_lexicon(settings.data_dir)
        self._named: dict[int, dict[str, tuple[str, ...]]] = {}

    def compatible(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether each pair's key terms can be the same quantity, role by role. One-term
        sets are decided with arrays; each other distinct pair of term sets is judged once."""
        q, ok = self.q, np.ones(len(a), dtype=bool)
        for role, ids in sorted(q.roles.items()):
            x, y = ids[a], ids[b]
            need = x != y
            if self.lex.role_rules.get(role, "cover") == "required":
                ok[need & ((x == 0) | (y == 0))] = False
            need &= (x > 0) & (y > 0)
            tx, ty = q.role_single[role][x], q.role_single[role][y]
            single = need & (tx >= 0) & (ty >= 0)
            codes = tx[single] * max(len(q.kterms), 1) + ty[single]
            ok[single] &= np.isin(codes, q.matching)
            need &= ~single
            if not need.any():
                continue
            width = int(ids.max()) + 1
            keys, inverse = np.unique(x[need] * width + y[need], return_inverse=True)
            verdict = [
                role_compatible(
                    role, q.role_set(role, k // width), q.role_set(role, k % width), self.lex
                )
                for k in keys.tolist()
            ]
            ok[need] &= np.array(verdict, dtype=bool)[inverse]
        return ok

    def scores(self, a: np.ndarray, b: np.ndarray, rule: np.ndarray) -> np.ndarray:
        """How sure we are that each pair is one quantity (``score`` in crosscheck.json)."""
        q, w = self.q, self.lex.score
        gap = np.maximum(q.start[b] - q.end[a], 0)
        update = rule == _CODES.index(Rule.UPDATE_DIFFERENT_TIME)
        time = np.where(
            update,
            1 - 0.5 * gap / max(self.settings.update_max_gap_days, 1),
            1 - gap / (q.widen[a] + q.widen[b] + 1),
        )
        entity = q.entity_anchors.shared(a, b)
        weight = w["entity_term"] * entity + w["plain_term"] * (q.anchors.shared(a, b) - entity)
        # Dice overlap of the descriptive words, each weighted by its rarity.
        rarity = q.word_ids.rarity()
        total_a, total_b = q.word_ids.total(a, rarity), q.word_ids.total(b, rarity)
        known = (total_a > 0) & (total_b > 0)
        common = q.word_ids.shared(a, b, rarity)
        dice = 2 * common / np.where(known, total_a + total_b, 1)
        words = np.where(known, dice, w["subject_unknown"])
        score = (
            w["terms"] * (1 - (1 - w["term_base"]) ** weight)
            + w["subject"] * words
            + w["time"] * np.maximum(time, 0)
        )
        return np.round(np.clip(score, 0, 1), 3)

    def relations(
        self, a: np.ndarray, b: np.ndarray, rule: np.ndarray, score: np.ndarray
    ) -> Columns:
        """The relations' columns (older claim first), reasons assembled with numpy strings.

        Columns rather than ``Relation`` objects: a million relations go to DuckDB as one
        DataFrame, and building and dumping a model per row would cost more than deciding them.
        """
        q = self.q
        if not len(a):
            return _no_columns()
        involved = _distinct(np.concatenate((a, b)))
        said, iv = (np.empty(len(q.claims), dtype=_TEXT) for _ in range(2))
        said[involved], iv[involved] = self._said(involved)
        names = self.shared_names(a, b)
        gap, slack = q.start[b] - q.end[a], q.widen[a] + q.widen[b]
        apart = "the time scopes are " + gap.astype(_TEXT) + " days apart"
        timing = np.where(
            gap <= 0,
            "the time scopes overlap",
            np.where(
                gap <= slack,
                apart + ", within the tolerance for dates taken from publication, so they are "
                "taken as the same time",
                apart + " and do not overlap",
            ),
        )
        verdict = np.full(len(a), "and the intervals overlap, so the figures agree", dtype=_TEXT)
        k = rule == _CODES.index(Rule.CONFLICT_DISJOINT_SAME_TIME)
        side = np.where(q.hi[a[k]] <= q.lo[b[k]], " lies below ", " lies above ")
        verdict[k] = (
            "but the intervals are disjoint (" + iv[a[k]] + side + iv[b[k]] + "), so both "
            "cannot be true"
        )
        k = rule == _CODES.index(Rule.UPDATE_DIFFERENT_TIME)
        verdict[k] = (
            "so for a " + _SCOPE_TEXT[q.scope[a[k]]] + " figure this is a change over time, not "
            "a contradiction: the newer figure ("
            + self.text("doc_id", b[k])
            + ", "
            + _days(q.end[b[k]])
            + ") supersedes"
        )
        k = rule == _CODES.index(Rule.UPDATE_CUMULATIVE_GROWTH)
        verdict[k] = (
            "and the intervals are disjoint, but a running total only grows and the newer one ("
            + self.text("doc_id", b[k])
            + ") is higher, so it is an update, not a contradiction"
        )
        head = (
            _RULE_TEXT[rule]
            + ": same quantity ("
            + self.text("kind", a)
            + ' of "'
            + np.array([q.measure[i] for i in a.tolist()], dtype=_TEXT)
            + '", '
            + _SCOPE_TEXT[q.scope[a]]
            + "; shared key terms: "
        )
        # Long strings are joined once per row in Python; numpy would copy them at every "+".
        reasons = [
            f"{h}{', '.join(n)}). {x}; {y}; {t}, {v}."
            for h, n, x, y, t, v in zip(
                head.tolist(),
                names,
                said[a].tolist(),
                said[b].tolist(),
                timing.tolist(),
                verdict.tolist(),
                strict=True,
            )
        ]
        claim_ids = [c.claim_id for c in q.claims]
        doc_ids = [c.doc_id for c in q.claims]
        ids_a = [claim_ids[i] for i in a.tolist()]
        ids_b = [claim_ids[j] for j in b.tolist()]
        kinds = _RELATION_KIND[rule].tolist()
        return {
            "relation_id": [
                _relation_id(x, y, k) for x, y, k in zip(ids_a, ids_b, kinds, strict=True)
            ],
            "claim_a": ids_a,
            "claim_b": ids_b,
            "doc_a": [doc_ids[i] for i in a.tolist()],
            "doc_b": [doc_ids[j] for j in b.tolist()],
            "claim_type": ["quantity"] * len(a),
            "relation": kinds,
            "rule": _RULE_CODE[rule].tolist(),
            "reason": reasons,
            "score": score.astype(float),
            "shared_terms": names,
        }

    def text(self, field: str, rows: np.ndarray) -> np.ndarray:
        """One string field of the given claims, as a numpy string array."""
        claims = self.q.claims
        return np.array([getattr(claims[i], field) for i in rows.tolist()], dtype=_TEXT)

    def shared_names(self, a: np.ndarray, b: np.ndarray) -> list[list[str]]:
        """For each pair, the key terms of both claims (as written, sorted) whose anchors the
        two share."""
        out = []
        for i, j in zip(a.tolist(), b.tolist(), strict=True):
            ni, nj = self.named(i), self.named(j)
            out.append(sorted({n for x in ni.keys() & nj.keys() for n in (*ni[x], *nj[x])}))
        return out

    def named(self, i: int) -> dict[str, tuple[str, ...]]:
        """A claim's key terms as written, by anchor."""
        if i not in self._named:
            by_anchor: dict[str, list[str]] = defaultdict(list)
            for t in self.q.terms(i):
                by_anchor[t.anchor].append(str(t))
            self._named[i] = {x: tuple(v) for x, v in by_anchor.items()}
        return self._named[i]

    def _said(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """'doc says "span" = interval as of scope (how)' and the interval, per claim."""
        q, claims = self.q, [self.q.claims[i] for i in rows.tolist()]
        iv = np.array(
            [
                format_interval(lo, hi, li, hi_)
                for lo, hi, li, hi_ in zip(
                    q.lo[rows].tolist(),
                    q.hi[rows].tolist(),
                    q.lo_inc[rows].tolist(),
                    q.hi_inc[rows].tolist(),
                    strict=True,
                )
            ],
            dtype=_TEXT,
        )
        start, end, widen = q.start[rows], q.end[rows], q.widen[rows]
        when = np.where(start == end, _days(start), _days(start) + " to " + _days(end))
        stated = np.array(
            [c.time_basis + (f', from "{c.time_text}"' if c.time_text else "") for c in claims],
            dtype=_TEXT,
        )
        read = (
            "publication date only, read as " + _days(start - widen) + " to " + _days(end + widen)
        )
        how = np.where(widen > 0, read, stated)
        said = (
            self.text("doc_id", rows)
            + ' says "'
            + self.text("span", rows)
            + '" = '
            + iv
            + " as of "
            + when
            + " ("
            + how
            + ")"
        )
        return said, iv


def _relation_id(a: str, b: str, relation: str) -> str:
    """``Relation.make_id`` inlined (same digest, tested): it is called once per relation."""
    first, second = (a, b) if a <= b else (b, a)
    digest = hashlib.sha256(f"{first}\x1f{second}\x1f{relation}".encode()).hexdigest()
    return f"r_{digest[:16]}"


def _check_quantities(
    claims: Sequence[QuantityClaim], documents: Mapping[str, Document], settings: Settings
) -> Columns:
    q = _prepare(claims, documents, settings)
    judge = _Judge(q, settings)
    a, b = _candidates(q, settings.crosscheck_window, settings.update_max_gap_days)
    a, b, rule = _decide(q, a, b, settings.update_max_gap_days)
    ok = judge.compatible(a, b)
    a, b, rule = a[ok], b[ok], rule[ok]
    ok = _nearest_updates(q, a, b, rule)
    a, b, rule = a[ok], b[ok], rule[ok]
    score = judge.scores(a, b, rule)
    ok = score >= settings.min_relation_score
    a, b, rule, score = a[ok], b[ok], rule[ok], score[ok]
    # The output order (doc_a, doc_b, claim_a, claim_b), set on the arrays: claims are indexed
    # in claim_id order, so only documents need ranking.
    doc_ids = [c.doc_id for c in q.claims]
    rank = {d: k for k, d in enumerate(sorted(set(doc_ids)))}
    doc_rank = np.array([rank[d] for d in doc_ids], dtype=np.int64)
    order = np.lexsort((b, a, doc_rank[b], doc_rank[a]))
    return judge.relations(a[order], b[order], rule[order], score[order])


# --- facts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fact:
    fact: FactClaim
    triple: tuple[str, str, str]
    time: str | None
    days: tuple[int, int] | None
    place: str | None
    published: int


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_ISO = re.compile(r"(?:in |on |since )?(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_WORDY = re.compile(r"(?:in |on )?(?:(\d{1,2}) )?([a-z]+)\.?(?: (\d{1,2}),?)? (\d{4})")
_MONTH_ONLY = re.compile(r"(?:in |on |since )?([a-z]+)\.?")


def fact_time_range(text: str, published: date | None = None) -> tuple[int, int] | None:
    """Days (ordinals) a fact's time covers: "2014", "2020-06", "June 2020", "14 June 2020";
    a month alone ("in June") is the last such month up to ``published``."""
    t = " ".join(fold(text).replace(",", " ").split())
    year = month = day = None
    if m := _ISO.fullmatch(t):
        year, month, day = (int(x) if x else None for x in m.groups())
    elif (m := _WORDY.fullmatch(t)) and m.group(2) in _MONTHS:
        year, month = int(m.group(4)), _MONTHS[m.group(2)]
        day = int(m.group(1) or m.group(3)) if (m.group(1) or m.group(3)) else None
    elif (m := _MONTH_ONLY.fullmatch(t)) and m.group(1) in _MONTHS and published:
        month = _MONTHS[m.group(1)]
        year = published.year if month <= published.month else published.year - 1
    if year is None:
        return None
    try:
        if month is None:
            return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1).toordinal(), date(year, month, last).toordinal()
        return (date(year, month, day).toordinal(),) * 2
    except ValueError:
        return None


def _fact_rule(x: _Fact, y: _Fact, lex: CrosscheckLexicon) -> Rule | None:
    """The rule for two facts with the same triple; None when they may be different occasions
    or cannot be compared."""
    once = x.triple[1] in lex.once_predicates
    same_polarity = x.fact.polarity == y.fact.polarity
    time_ok: bool | None = None
    if x.time and y.time:
        if x.days and y.days:
            time_ok = max(x.days[0], y.days[0]) <= min(x.days[1], y.days[1])
        elif x.time != y.time:
            return None
    if time_ok is False:
        return Rule.FACT_CONFLICT_TIME if once and same_polarity else None
    if (
        x.place
        and y.place
        and not (f" {x.place} " in f" {y.place} " or f" {y.place} " in f" {x.place} ")
    ):
        same_day = x.days == y.days and x.days is not None and x.days[0] == x.days[1]
        return Rule.FACT_CONFLICT_PLACE if (once or same_day) and same_polarity else None
    return Rule.FACT_AGREE_TRIPLE if same_polarity else Rule.FACT_CONFLICT_POLARITY


def _fact_detail(f: _Fact) -> str:
    parts = [f"time {f.fact.time}" if f.fact.time else "no time"]
    if f.fact.place:
        parts.append(f"place {f.fact.place}")
    parts.append(f.fact.polarity)
    return ", ".join(parts)


def _fact_relation(x: _Fact, y: _Fact, rule: Rule, lex: CrosscheckLexicon) -> Relation:
    s, p, o = x.triple
    why = {
        Rule.FACT_AGREE_TRIPLE: "time, place and polarity do not contradict"
        + ("; a time on one side only is no contradiction" if bool(x.time) != bool(y.time) else ""),
        Rule.FACT_CONFLICT_TIME: f'"{p}" happens once, and {x.fact.time} and {y.fact.time} do not overlap',
        Rule.FACT_CONFLICT_PLACE: f"the same event is placed in {x.fact.place} and in {y.fact.place}",
        Rule.FACT_CONFLICT_POLARITY: "one document asserts it and the other denies it",
    }[rule]
    w = lex.score
    score = (
        w["fact_base"]
        + w["fact_time"] * bool(x.time and y.time)
        + w["fact_place"] * bool(x.place and y.place)
        + w["fact_specific"] * (len(s.split()) + len(o.split()) > 2)
    )
    a, b = x.fact, y.fact
    return Relation(
        relation_id=Relation.make_id(a.fact_id, b.fact_id, rule.relation),
        claim_a=a.fact_id,
        claim_b=b.fact_id,
        doc_a=a.doc_id,
        doc_b=b.doc_id,
        claim_type="fact",
        relation=rule.relation,
        rule=rule.value,
        reason=(
            f'{rule.value}: both state ({s}, {p}, {o}). {a.doc_id} says "{a.span}" '
            f'({_fact_detail(x)}); {b.doc_id} says "{b.span}" ({_fact_detail(y)}); {why}.'
        ),
        score=round(min(score, 1.0), 3),
        shared_terms=[s, o],
    )


def _check_facts(
    facts: Sequence[FactClaim], documents: Mapping[str, Document], settings: Settings
) -> list[Relation]:
    lex = crosscheck_lexicon(settings.data_dir)
    groups: dict[tuple[str, str, str], list[_Fact]] = defaultdict(list)
    seen: set[tuple[object, ...]] = set()
    for f in sorted(facts, key=lambda f: (f.doc_id, f.char_start, f.fact_id)):
        subject, predicate, obj = (
            normalize_name(x, settings.data_dir) for x in (f.subject, f.predicate, f.object)
        )
        triple = (subject, predicate, obj)
        if not all(triple) or triple[0] in lex.pronouns or triple[2] in lex.pronouns:
            continue
        place = normalize_name(f.place, settings.data_dir) if f.place else None
        time = " ".join(fold(f.time).split()) if f.time else None
        variant = (f.doc_id, triple, time, place, f.polarity)
        if variant in seen:  # the same statement repeated within a document
            continue
        seen.add(variant)
        doc = documents.get(f.doc_id)
        published = doc.published.toordinal() if doc and doc.published else 0
        days = fact_time_range(f.time, doc.published if doc else None) if f.time else None
        groups[triple].append(_Fact(f, triple, time, days, place, published))
    out = []
    for members in groups.values():
        members.sort(key=lambda m: (m.published, m.fact.doc_id, m.fact.fact_id))
        for i, x in enumerate(members):
            for y in members[i + 1 : i + 1 + settings.crosscheck_window]:
                if x.fact.doc_id == y.fact.doc_id:
                    continue
                rule = _fact_rule(x, y, lex)
                if rule is not None:
                    relation = _fact_relation(x, y, rule, lex)
                    if relation.score >= settings.min_relation_score:
                        out.append(relation)
    return out


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
    with _gc_paused():
        facts_related = _check_facts(facts, documents, settings)
        facts_related.sort(key=attrgetter("doc_a", "doc_b", "claim_a", "claim_b"))
        # "fact" sorts before "quantity"; quantity relations come out of their arrays sorted.
        quantities = _check_quantities(claims, documents, settings)
        columns = _to_columns(facts_related)
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
# The code that decides relations; a change to any of it must recompute them.
_KEY_SOURCES = ("crosscheck.py", "lexicon.py", "numbers.py", "timescope.py", "models.py")


def crosscheck_key(settings: Settings) -> str:
    """A hash of everything that decides relations besides the claims: the settings, the
    lexicon files users edit, and this code. Equal keys and equal claims give equal relations."""
    digest = hashlib.sha256()
    relevant = settings.model_dump(mode="json", exclude=_KEY_EXCLUDED | {"data_dir"})
    digest.update(repr(sorted(relevant.items())).encode())
    for path in sorted(Path(settings.data_dir).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    here = Path(__file__).parent
    for name in _KEY_SOURCES:
        digest.update((here / name).read_bytes())
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
