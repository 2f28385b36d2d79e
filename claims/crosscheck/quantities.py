"""Quantity claims of different documents compared: one quantity or not, and if so agree,
conflict or update, with a score and a reason a reviewer can read.

Candidate pairs and their features come from ``pairs``; the score is the probability that
the two claims are one quantity, a logistic model over the features whose weights are fitted
on the development corpus (``pair_weights`` in ``claims/data/crosscheck.json``, fitted by
``bench/fit_crosscheck.py``). A pair is related when its score reaches
``Settings.min_relation_score``. Which relation follows from the times and intervals:

* at the same time (the same day for figures that move while a story runs, within weeks for
  slow ones such as a coalition's members, any time for fixed properties such as a tower's
  floors or a transfer fee), overlapping intervals agree and disjoint ones conflict;
* at different times, a moving figure agrees only with the same value; another value is an
  update (a toll that rose);
* a figure presented as revised updates the one before it, and so does a forecast made again
  later; a snapshot of a running count ("so far", "with 84 results declared") updates rather
  than contradicts; a figure reported as denied conflicts;
* a date guessed for an undated document never makes a conflict, and two periods that do not
  overlap (two months' inflation) are different quantities;
* an estimate or a projection ("could reach 100") agrees with a count or not, but never
  updates one.

A conflict costs a reviewer's trust more than a missed agreement, so it is flagged only with
a score of ``Settings.min_conflict_score`` and nothing that hints at two quantities
(:data:`CONFLICT_VETO`). All of it is numpy over every candidate pair, in chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claims.crosscheck.pairs import (
    FEATURES,
    Pairs,
    candidates,
    converted,
    features,
    overlap,
    same_value,
    word_weights,
)
from claims.crosscheck.profiles import (
    GUESSED,
    TIME_BASES,
    Profiles,
    build_profiles,
    date_by_figures,
)
from claims.crosscheck.stories import StoryMap
from claims.formats import format_days, format_euros, format_interval
from claims.models import Document, QuantityClaim, Rule
from claims.settings import DATA_DIR, Settings
from claims.wordlists import Crosscheck, load

RULES: tuple[Rule, ...] = tuple(Rule)
_CONFLICT_RULES = [k for k, r in enumerate(RULES) if r.relation == "conflict"]
_NONE = -1
_CHUNK = 400_000  # pairs scored at once: bounds the memory of the feature columns
CONFLICT_VETO = (
    "place_differs",
    "rare_entity_differs",
    "holder_differs",
    "holder_one_side",
    "facet_clash",
    "part",
    "change_one_side",
    "estimate_one_side",
    "outcome_differs",
    "outcome_one_side",
)


RELATION_SCHEMA = pa.schema(
    [
        *((name, pa.string()) for name in ("relation_id", "claim_a", "claim_b", "doc_a")),
        *((name, pa.string()) for name in ("doc_b", "claim_type", "relation", "rule", "reason")),
        ("score", pa.float64()),
        ("shared_terms", pa.list_(pa.string())),
    ]
)  # ``Relation``'s fields, in order (tested)


@lru_cache(maxsize=4)
def pair_weights(data_dir: Path = DATA_DIR) -> np.ndarray:
    """The fitted weight of each feature, in :data:`pairs.FEATURES` order."""
    raw = load(Crosscheck, data_dir).pair_weights
    missing = [f for f in FEATURES if f not in raw]
    if missing:
        raise ValueError(f"crosscheck.json: pair_weights lacks {', '.join(missing)}")
    return np.array([float(raw[f]) for f in FEATURES])


@lru_cache(maxsize=4)
def fitted_thresholds(data_dir: Path = DATA_DIR) -> tuple[float, float]:
    """(relation, conflict) thresholds fitted with the pair weights."""
    raw = load(Crosscheck, data_dir).pair_thresholds
    return float(raw["relation"]), float(raw["conflict"])


def probability(columns: Mapping[str, np.ndarray], weights: np.ndarray) -> np.ndarray:
    z = sum(columns[name] * w for name, w in zip(FEATURES, weights, strict=True))
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=np.float64), -40, 40)))


def sure_enough_to_conflict(columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """A conflict is flagged only when nothing hints at two quantities: no place, name, facet
    or outcome on one side that the other lacks or contradicts, no part, change or estimate;
    and a generic figure (a percentage, a sum, a length) shares its words or its holder with
    the other. When unsure, do not flag."""
    vetoed = np.zeros(len(columns["bias"]), dtype=bool)
    for name in CONFLICT_VETO:
        vetoed |= columns[name] > 0
    generic = (columns["generic"] > 0) | (columns["measure_kind"] > 0) | (columns["date_kind"] > 0)
    described = (columns["holder_same"] > 0) | (columns["similarity"] >= 0.3)
    return ~vetoed & (~generic | described)


def in_time_order(p: Profiles, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(older, newer) of each pair: by end, then start, then claim order."""
    swap = (p.end[y] < p.end[x]) | ((p.end[y] == p.end[x]) & (p.start[y] < p.start[x]))
    swap |= (p.end[y] == p.end[x]) & (p.start[y] == p.start[x]) & (y < x)
    return np.where(swap, y, x), np.where(swap, x, y)


def relate(p: Profiles, a: np.ndarray, b: np.ndarray, settings: Settings) -> np.ndarray:
    """The rule (index into :data:`RULES`, or -1 for none) of each pair taken as one quantity;
    ``a`` the older of each pair."""
    known = (p.start[a] >= 0) & (p.start[b] >= 0)
    explicit = TIME_BASES.index("explicit")
    period_a = (p.basis[a] == explicit) & (p.end[a] > p.start[a])
    period_b = (p.basis[b] == explicit) & (p.end[b] > p.start[b])
    times_meet = np.maximum(p.start[a], p.start[b]) <= np.minimum(p.end[a], p.end[b])
    guessed = np.isin(p.basis[a], list(GUESSED)) | np.isin(p.basis[b], list(GUESSED))
    stated = (p.basis[a] == explicit) & (p.basis[b] == explicit)
    slack = np.where(p.slow[a] & p.slow[b] & ~stated, settings.same_time_tolerance_days, 0)
    meets_slack = np.maximum(p.start[a], p.start[b]) <= np.minimum(p.end[a], p.end[b]) + slack
    fixed = p.fixed[a] | p.fixed[b]
    same_time = fixed | (known & ~guessed & meets_slack)
    ov = overlap(p, a, b)
    rule = np.full(len(a), _NONE, dtype=np.int64)

    def assign(mask: np.ndarray, r: Rule) -> None:
        rule[(rule == _NONE) & mask] = RULES.index(r)

    rule[period_a & period_b & ~times_meet] = -2  # two periods: different quantities
    rule[p.change[a] != p.change[b]] = -2  # a change and a level: no relation
    assign(ov & (same_time | ~known | same_value(p, a, b)), Rule.AGREE_OVERLAP)
    assign(p.denied[a] | p.denied[b], Rule.CONFLICT_DENIED)
    assign(p.revised[b], Rule.UPDATE_REVISED)
    assign(same_time & (p.provisional[a] | p.provisional[b]), Rule.UPDATE_PROVISIONAL)
    # A forecast made again later: 11% in June, 13% in August.
    assign(p.estimate[a] & p.estimate[b] & ~ov & (p.start[a] != p.start[b]), Rule.UPDATE_REVISED)
    # Two outlets' conversions of one sum differ by their rates, not by what they report.
    rule[(rule == _NONE) & same_time & ~ov & (converted(p, a, b) > 0)] = -2
    assign(same_time & ~ov, Rule.CONFLICT_DISJOINT_SAME_TIME)
    # An earlier event's figure ("300 died when a ferry sank in 1993") updates nothing, and
    # an estimate or a projection ("could reach 100") does not update a count, nor a count it.
    later = known & ~fixed & ~p.background[a] & ~p.background[b]
    assign(later & (p.estimate[a] == p.estimate[b]), Rule.UPDATE_DIFFERENT_TIME)
    rule[rule == -2] = _NONE
    return rule


@dataclass
class Decided:
    """The relations of one run, as arrays over ``Profiles`` rows."""

    a: np.ndarray
    b: np.ndarray
    rule: np.ndarray
    score: np.ndarray


def decide(
    p: Profiles, pairs: Pairs, settings: Settings, weights: np.ndarray | None = None
) -> Decided:
    """Score every candidate pair and keep those related, in chunks."""
    weights = pair_weights(settings.data_dir) if weights is None else weights
    fitted_relation, fitted_conflict = fitted_thresholds(settings.data_dir)
    relation = (
        fitted_relation if settings.min_relation_score is None else settings.min_relation_score
    )
    conflict = (
        fitted_conflict if settings.min_conflict_score is None else settings.min_conflict_score
    )
    word_weight = word_weights(p)
    kept: list[tuple[np.ndarray, ...]] = []
    for first in range(0, len(pairs), _CHUNK):
        chunk = pairs.take(np.arange(first, min(first + _CHUNK, len(pairs))))
        columns = features(p, chunk, word_weight)
        score = np.round(probability(columns, weights), 3)
        a, b = in_time_order(p, chunk.a, chunk.b)
        rule = relate(p, a, b, settings)
        is_conflict = np.isin(rule, _CONFLICT_RULES)
        ok = (rule != _NONE) & (score >= relation)
        ok &= ~is_conflict | ((score >= conflict) & sure_enough_to_conflict(columns))
        kept.append((a[ok], b[ok], rule[ok], score[ok]))
    if not kept:
        empty = np.zeros(0, dtype=np.int64)
        return Decided(empty, empty, empty, np.zeros(0))
    a, b, rule, score = (np.concatenate(x) for x in zip(*kept, strict=True))
    return Decided(a, b, rule, score)


def check_quantities(
    claims: Sequence[QuantityClaim],
    documents: Mapping[str, Document],
    stories: StoryMap,
    settings: Settings,
) -> pa.Table:
    """Every relation between quantity claims of different documents, as columns; the same
    whatever the order the claims come in (neighbours in a block are taken in this order)."""
    ordered = sorted(claims, key=lambda c: (c.doc_id, c.char_start, c.char_end, c.claim_id))
    p = build_profiles(ordered, stories, settings)
    date_by_figures(p, stories)
    decided = decide(p, candidates(p, settings.crosscheck_window), settings)
    return columns(p, decided, documents, stories)


def columns(
    p: Profiles, d: Decided, documents: Mapping[str, Document], stories: StoryMap
) -> pa.Table:
    """The relations' columns, sorted by (doc_a, doc_b, claim_a, claim_b), with reasons.

    A reason is put together from parts written once per claim (who says what, when) and per
    pair (shared words, the verdict), joined by Arrow's string kernels: a million relations
    take seconds, not a minute of Python string formatting."""
    if not len(d.a):
        return RELATION_SCHEMA.empty_table()
    claim_ids = np.array([c.claim_id for c in p.claims], dtype=object)
    doc_ids = np.array([c.doc_id for c in p.claims], dtype=object)
    claim_rank = np.argsort(np.argsort(claim_ids))
    doc_rank = np.unique(doc_ids, return_inverse=True)[1]
    order = np.lexsort((claim_rank[d.b], claim_rank[d.a], doc_rank[d.b], doc_rank[d.a]))
    a, b, rule, score = d.a[order], d.b[order], d.rule[order], d.score[order]
    shared = _shared_lists(p, a, b)
    relation = np.array([r.relation for r in RULES], dtype=object)[rule]
    ids, docs = pa.array(claim_ids, pa.string()), pa.array(doc_ids, pa.string())
    at_a, at_b = pa.array(a), pa.array(b)
    columns = {
        "relation_id": pa.array(relation_ids(claim_ids[a], claim_ids[b], relation), pa.string()),
        "claim_a": pc.take(ids, at_a),
        "claim_b": pc.take(ids, at_b),
        "doc_a": pc.take(docs, at_a),
        "doc_b": pc.take(docs, at_b),
        "claim_type": pa.repeat(pa.scalar("quantity", pa.string()), len(a)),
        "relation": pa.array(relation, pa.string()),
        "rule": pa.array(np.array([r.value for r in RULES], dtype=object)[rule], pa.string()),
        "reason": _Reasons(p, documents, stories).reasons(a, b, rule, score, shared),
        "score": pa.array(score, pa.float64()),
        "shared_terms": shared,
    }
    return pa.table(columns, schema=RELATION_SCHEMA)


def _shared_lists(p: Profiles, a: np.ndarray, b: np.ndarray) -> pa.ListArray:
    """Per pair, the words both claims use, as written, in alphabetical order."""
    items, ptr = p.words.items, p.words.ptr
    names = [n.split("\x1f", 1)[1] if "\x1f" in n else n for n in p.codes["word"].names]
    rank = np.argsort(np.argsort(np.array(names, dtype=object)))
    width = len(names)
    sizes_a, sizes_b = ptr[a + 1] - ptr[a], ptr[b + 1] - ptr[b]

    def expand(rows: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        owner = np.repeat(np.arange(len(rows)), sizes)
        first = np.repeat(ptr[rows], sizes)
        offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        codes: np.ndarray = owner * width + items[first + offset]
        return codes

    codes = np.concatenate((expand(a, sizes_a), expand(b, sizes_b)))
    codes.sort()
    both = codes[1:][codes[1:] == codes[:-1]]  # a claim's words are distinct: twice = shared
    pair, word = both // width, both % width
    by_name = np.lexsort((rank[word], pair))
    pair, word = pair[by_name], word[by_name]
    offsets = np.zeros(len(a) + 1, dtype=np.int32)
    np.cumsum(np.bincount(pair, minlength=len(a)), out=offsets[1:])
    values = pc.take(pa.array(names, pa.string()), pa.array(word))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def relation_ids(claim_a: np.ndarray, claim_b: np.ndarray, relation: np.ndarray) -> list[str]:
    """``Relation.make_id`` of every pair (the same digest, tested), in one loop."""
    first = np.where(claim_a <= claim_b, claim_a, claim_b).tolist()
    second = np.where(claim_a <= claim_b, claim_b, claim_a).tolist()
    sha = hashlib.sha256
    return [
        "r_" + sha(f"{x}\x1f{y}\x1f{r}".encode()).hexdigest()[:16]
        for x, y, r in zip(first, second, relation.tolist(), strict=True)
    ]


class _Reasons:
    """Reasons that name outlets and dates, with per-claim parts cached."""

    def __init__(self, p: Profiles, documents: Mapping[str, Document], stories: StoryMap) -> None:
        self.p, self.documents, self.stories = p, documents, stories
        self._said: dict[int, str] = {}
        self._interval: dict[int, str] = {}
        self._what: dict[int, str] = {}

    def source(self, i: int) -> str:
        c = self.p.claims[i]
        doc = self.documents.get(c.doc_id)
        name = (doc.outlet if doc else None) or (doc.title if doc else None) or c.doc_id
        if doc is not None and doc.published is not None:
            return f"{name} ({doc.published.isoformat()})"
        day = self.stories.date(c.doc_id)
        how = {"url": "its URL", "dateline": "its dateline", "figures": "its figures"}.get(
            self.stories.date_basis.get(c.doc_id, ""), "its story"
        )
        return f"{name} (undated; {day.isoformat()} from {how})" if day else f"{name} (undated)"

    def when(self, i: int) -> str:
        p = self.p
        if p.fixed[i]:
            return "(a fixed property)"
        if p.name("kind", int(p.kind[i])) == "date" and p.start[i] >= 0:
            return f"(a projected date, as of {date.fromordinal(int(p.start[i])).isoformat()})"
        if p.start[i] < 0:
            return "at an unknown time"
        first, last = date.fromordinal(int(p.start[i])), date.fromordinal(int(p.end[i]))
        c = p.claims[i]
        explicit = p.basis[i] == TIME_BASES.index("explicit")
        stated = f' ("{c.time_text}")' if explicit and c.time_text else ""
        if first == last:
            return f"as of {first.isoformat()}{stated}"
        return f"for {first.isoformat()} to {last.isoformat()}{stated}"

    def interval(self, i: int) -> str:
        if i not in self._interval:
            p = self.p
            currency = p.name("currency", int(p.currency[i]))
            if p.name("kind", int(p.kind[i])) == "date":
                self._interval[i] = format_days(float(p.lo[i]), float(p.hi[i]))
            elif currency:
                euros = format_euros(
                    float(p.lo[i]), float(p.hi[i]), bool(p.lo_inc[i]), bool(p.hi_inc[i])
                )
                rate = "" if currency == "EUR" else f" (from {currency} at the ECB rate of its day)"
                self._interval[i] = euros + rate
            else:
                self._interval[i] = format_interval(
                    float(p.lo[i]), float(p.hi[i]), bool(p.lo_inc[i]), bool(p.hi_inc[i])
                )
        return self._interval[i]

    def said(self, i: int) -> str:
        if i not in self._said:
            c = self.p.claims[i]
            self._said[i] = f'{self.source(i)} says "{c.span}" = {self.interval(i)} {self.when(i)}'
        return self._said[i]

    def what(self, i: int) -> str:
        if i not in self._what:
            self._what[i] = self._describe(i)
        return self._what[i]

    def _describe(self, i: int) -> str:
        p = self.p
        kind = p.name("kind", int(p.kind[i]))
        measure = p.name("measure", int(p.measure[i]))
        if kind == "percent":
            what = "a percentage"
        elif kind == "date":
            what = "a date"
        elif kind == "money":
            what = "a sum of money" if measure == "money" else f"an amount in {measure}"
        else:
            noun = "people" if measure == "person" else measure
            outcome = p.name("outcome", int(p.outcome[i]))
            what = f"{noun} {outcome}" if outcome else noun
        holder = p.claims[i].holder
        return f"{what} of {holder}" if holder else what

    def reasons(
        self,
        a: np.ndarray,
        b: np.ndarray,
        rule: np.ndarray,
        score: np.ndarray,
        shared: pa.ListArray,
    ) -> pa.Array:
        """Per pair: what the quantity is, who says what when, and why that makes this
        relation ("older" ``a``, "newer" ``b``)."""
        p = self.p
        used = np.unique(np.concatenate((a, b)))
        parts = {"said": [""] * len(p), "what": [""] * len(p), "interval": [""] * len(p)}
        parts["source"] = [""] * len(p)
        for i in used.tolist():
            parts["said"][i], parts["what"][i] = self.said(i), self.what(i)
            parts["interval"][i], parts["source"][i] = self.interval(i), self.source(i)
        arrays = {k: pa.array(v, pa.string()) for k, v in parts.items()}
        ia, ib = (pc.take(arrays["interval"], pa.array(x)) for x in (a, b))
        newer = pc.take(arrays["source"], pa.array(b))
        join = pc.binary_join_element_wise

        def const(text: str) -> pa.Scalar:
            return pa.scalar(text, pa.string())

        words = pc.binary_join(shared, ", ")
        head = pc.if_else(
            pc.greater(pc.list_value_length(shared), 0),
            join("; shared words: ", words, ")", ""),
            const(")"),
        )
        side = pa.array(np.where(p.hi[a] <= p.lo[b], "below", "above"))
        when = pa.array(np.where(p.fixed[a] | p.fixed[b], "a fixed property", "the same time"))
        verdicts = {
            Rule.AGREE_OVERLAP: const("the intervals overlap, so the figures agree"),
            Rule.CONFLICT_DISJOINT_SAME_TIME: join(
                when,
                ", and the intervals are disjoint (",
                ia,
                " lies ",
                side,
                " ",
                ib,
                "), so both cannot be true",
                "",
            ),
            Rule.CONFLICT_DENIED: const("one side reports the figure as denied or refuted"),
            Rule.UPDATE_REVISED: join(
                "the newer figure is presented as a revision, so ", newer, " supersedes", ""
            ),
            Rule.UPDATE_PROVISIONAL: const(
                "one figure is a snapshot of a count still running (so far, partial), so the "
                "two are stages of one count, not a contradiction"
            ),
            Rule.UPDATE_DIFFERENT_TIME: join(
                "a figure that moves as the story runs, stated at different times: the newer "
                "figure (",
                newer,
                ") supersedes",
                "",
            ),
        }
        verdict: pa.Array = pa.nulls(len(a), pa.string())
        for k, r in enumerate(RULES):
            verdict = pc.if_else(pa.array(rule == k), verdicts.get(r, const(r.meaning)), verdict)
        hundredths = np.rint(score * 100).astype(np.int64)
        score_text = np.char.add(
            np.where(hundredths >= 100, "1.", "0."),
            np.char.zfill((hundredths % 100).astype(str), 2),
        )
        codes = pa.array(np.array([r.value for r in RULES], dtype=object)[rule], pa.string())
        said = arrays["said"]
        reason = join(
            codes,
            ": Same quantity (",
            pc.take(arrays["what"], pa.array(a)),
            head,
            ". ",
            pc.take(said, pa.array(a)),
            "; ",
            pc.take(said, pa.array(b)),
            "; ",
            verdict,
            " (score ",
            pa.array(score_text),
            ").",
            "",
        )
        return reason
