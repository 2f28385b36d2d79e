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
  overlap (two months' inflation) are different quantities; so are a monthly statistic's
  figures of two reports a month apart ("3.7%" unemployment in September and in December),
  whatever their values;
* a count told as rising ("the toll rose to 288") that differs the same day moved within it;
  a part updates only the same holder's part;
* an estimate or a projection ("could reach 100") agrees with a count or not, but never
  updates one.

A conflict costs a reviewer's trust more than a missed agreement, so it is flagged only with
a score of ``Settings.min_conflict_score`` and nothing that hints at two quantities
(:data:`CONFLICT_VETO`), and not for a figure that agrees better with another figure of the
other report (a report states one figure per quantity: :func:`matched_once`). All of it is
numpy over every candidate pair, in chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claims.crosscheck.columns import (
    ClaimRows,
    ClaimsIn,
    DocColumns,
    DocRow,
    DocumentsIn,
    claim_table,
    document_columns,
)
from claims.crosscheck.pairs import (
    FEATURES,
    Columns,
    Pairs,
    PerClaim,
    candidates,
    converted,
    features,
    overlap,
    same_value,
    word_weights,
)
from claims.crosscheck.profiles import (
    TIME_BASES,
    Lists,
    Profiles,
    build_profiles,
    date_by_figures,
    guessed_days,
    guessed_either,
    unique_values,
)
from claims.crosscheck.reading import counted_lexicon
from claims.crosscheck.stories import StoryMap
from claims.formats import format_days, format_euros, format_interval, format_number
from claims.memory import release_freed
from claims.models import Rule
from claims.settings import DATA_DIR, Settings
from claims.wordlists import Crosscheck, load

RULES: tuple[Rule, ...] = tuple(Rule)
_CONFLICT_RULES = [k for k, r in enumerate(RULES) if r.relation == "conflict"]
_AGREE_RULES = [k for k, r in enumerate(RULES) if r.relation == "agree"]
_NONE = -1
_SMALL = 100  # below this, two kinds of thing share a number by chance
_PERIOD_GAP = 20  # days between two figures of a monthly statistic that make two periods
_FELL = 0.3  # a count that only grows, told later below this share of itself, is another
_CHUNK = 400_000  # pairs scored at once: bounds the memory of the feature columns
# Relations given their reasons at once: bounds the memory of the reasons. DuckDB's row group
# size, so that each slice inserted fills whole row groups: slices of 100,000 made DuckDB
# compress part-filled groups again, a fifth more CPU for the same rows.
_SLICE = 122_880
_READ_AFTER_PROFILES = ["claim_id", "doc_id", "span", "char_start", "time_text", "holder"]
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


class Thresholds(NamedTuple):
    """The scores a pair must reach, fitted with the pair weights."""

    relation: float  # an update (and a fact relation)
    agree: float  # two overlapping figures: their agreement is the evidence, so a lower bar
    conflict: float


@lru_cache(maxsize=4)
def fitted_thresholds(data_dir: Path = DATA_DIR) -> Thresholds:
    raw = load(Crosscheck, data_dir).pair_thresholds
    missing = [k for k in Thresholds._fields if k not in raw]
    if missing:
        raise ValueError(f"crosscheck.json: pair_thresholds lacks {', '.join(missing)}")
    return Thresholds(*(float(raw[k]) for k in Thresholds._fields))


def settled_thresholds(settings: Settings) -> Thresholds:
    """The fitted thresholds, as the settings override them (min_relation_score for every
    relation, min_conflict_score for conflicts)."""
    fitted = fitted_thresholds(settings.data_dir)
    relation, agree = fitted.relation, fitted.agree
    if settings.min_relation_score is not None:
        relation = agree = settings.min_relation_score
    conflict = (
        fitted.conflict if settings.min_conflict_score is None else settings.min_conflict_score
    )
    return Thresholds(relation, agree, conflict)


def probability(columns: Mapping[str, np.ndarray], weights: np.ndarray) -> np.ndarray:
    z = sum(columns[name] * w for name, w in zip(FEATURES, weights, strict=True))
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=np.float64), -40, 40)))


# Outlets that disagree on one quantity at one time mostly disagree by a little (rounding, a
# source's revision, a slip: 1,800 against 1,833, 477 against 459); figures more than a
# quarter apart are mostly two quantities (a part and its whole, two places) or a count that
# rose within the day (310 dead in the morning, 717 by the evening). Small counts are the
# exception: two dead against at least four is a ratio of two and a plain contradiction.
# Measured on bench/news:
# held out, conflict precision 0.89 at this bound, at most 0.75 without it.
_CONFLICT_MAX_RATIO = float(np.log(1.25))


def small_counts(p: Profiles, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs whose figures are both under ten: a ratio says little of how far apart they are."""
    with np.errstate(invalid="ignore"):
        small: np.ndarray = (np.abs(p.value[a]) < 10) & (np.abs(p.value[b]) < 10)
        small |= (p.hi[a] < 10) & (p.hi[b] < 10)
    return small


def sure_enough_to_conflict(columns: Mapping[str, np.ndarray], small: np.ndarray) -> np.ndarray:
    """A conflict is flagged only when nothing hints at two quantities: no place, name, facet
    or outcome on one side that the other lacks or contradicts, no part, change or estimate;
    a generic figure (a percentage, a sum, a length) shares its words or its holder with the
    other; and the two are within a quarter of each other unless both are ``small``. When
    unsure, do not flag."""
    vetoed = np.zeros(len(columns["bias"]), dtype=bool)
    for name in CONFLICT_VETO:
        if name != "part":
            vetoed |= columns[name] > 0
    # Portugal's 209 cases in one outlet's breakdown and its 191 in another's: a part of one
    # holder against the same holder's is no part against its whole.
    vetoed |= (columns["part"] > 0) & ~(columns["holder_same"] > 0)
    generic = (columns["generic"] > 0) | (columns["measure_kind"] > 0) | (columns["date_kind"] > 0)
    described = (columns["holder_same"] > 0) | (columns["similarity"] >= 0.3)
    apart = np.maximum(columns["ratio_at_one_time"], columns["ratio_apart"])
    close = (apart <= _CONFLICT_MAX_RATIO) | small
    sure: np.ndarray = ~vetoed & (~generic | described) & close
    return sure


def in_time_order(p: Profiles, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(older, newer) of each pair: by end, then start, then claim order."""
    swap = (p.end[y] < p.end[x]) | ((p.end[y] == p.end[x]) & (p.start[y] < p.start[x]))
    swap |= (p.end[y] == p.end[x]) & (p.start[y] == p.start[x]) & (y < x)
    return np.where(swap, y, x), np.where(swap, x, y)


def relate(
    p: Profiles,
    a: np.ndarray,
    b: np.ndarray,
    settings: Settings,
    meets: np.ndarray | None = None,
    equal: np.ndarray | None = None,
) -> np.ndarray:
    """The rule (index into :data:`RULES`, or -1 for none) of each pair taken as one quantity;
    ``a`` the older of each pair; ``meets`` and ``equal`` the pairs' ``overlap`` and
    ``same_value`` when they are known (both are symmetric: either side may be a)."""
    known = (p.start[a] >= 0) & (p.start[b] >= 0)
    explicit = TIME_BASES.index("explicit")
    # A span of days is a period its text names, whether its document's date is known or
    # only guessed ("In October" in an undated report).
    period_a, period_b = p.end[a] > p.start[a], p.end[b] > p.start[b]
    times_meet = np.maximum(p.start[a], p.start[b]) <= np.minimum(p.end[a], p.end[b])
    guessed = guessed_either(p, a, b)
    stated = (p.basis[a] == explicit) & (p.basis[b] == explicit)
    slack = np.where(p.slow[a] & p.slow[b] & ~stated, settings.same_time_tolerance_days, 0)
    meets_slack = np.maximum(p.start[a], p.start[b]) <= np.minimum(p.end[a], p.end[b]) + slack
    fixed = p.fixed[a] | p.fixed[b]
    same_time = fixed | (known & ~guessed & meets_slack)
    ov = overlap(p, a, b) if meets is None else meets
    rule = np.full(len(a), _NONE, dtype=np.int64)

    def assign(mask: np.ndarray, r: Rule) -> None:
        rule[(rule == _NONE) & mask] = RULES.index(r)

    rule[period_a & period_b & ~times_meet] = -2  # two periods: different quantities
    rule[p.change[a] != p.change[b]] = -2  # a change and a level: no relation
    # "57 more deaths" on the 2nd and "86 new deaths" on the 7th: each day's rise is its own.
    rule[p.change[a] & p.change[b] & known & ~guessed & ~times_meet] = -2
    # "six hospitals" and "six bodies", "three American planes" and "three Syrians": a small
    # number shared by two kinds of thing is chance, unless both are people.
    people = [
        p.codes["measure"].index.get(w, -1) for w in counted_lexicon(settings.data_dir).people_nouns
    ]
    kindred = np.isin(p.measure[a], people) & np.isin(p.measure[b], people)
    with np.errstate(invalid="ignore"):
        small = np.abs(p.value[a]) < _SMALL
    rule[(p.measure[a] != p.measure[b]) & ~kindred & small] = -2
    # "could reach 100" against "at least 70" dead: a forecast is not a count, even where
    # the count lands inside it (a fee or a height is what a contract or a design says).
    counts = (p.kind[a] == p.codes["kind"].index.get("count", -1)) & (p.kind[a] == p.kind[b])
    rule[(p.projection[a] != p.projection[b]) & counts & ~fixed] = -2
    # "3.7%" unemployment in the report of 2 September and in that of 4 November: a monthly
    # statistic's figures of two periods are two quantities, whatever their values, and one
    # whose period is not known is no quantity to compare.
    periodic = p.periodic[a] & p.periodic[b] & ~p.estimate[a] & ~p.estimate[b]
    apart = np.maximum(p.start[a], p.start[b]) - np.minimum(p.end[a], p.end[b]) > _PERIOD_GAP
    no_period = guessed_days(p, a) | guessed_days(p, b)
    rule[periodic & (~known | no_period | apart)] = -2
    holder_same = (p.holder[a] == p.holder[b]) & (p.holder[a] > 0)
    # Ordinals are compared only as one holder's: "Obi is third" and "Atiku came second" are
    # two candidates' places, "its first test flight" and "its second" two members of a series.
    place = p.codes["measure"].index.get("place", -1)
    ordinal = p.codes["kind"].index.get("ordinal", -1)
    ranks = (p.measure[a] == place) & (p.measure[b] == place)
    series = (p.kind[a] == ordinal) & (p.kind[b] == ordinal) & (p.value[a] != p.value[b])
    rule[(ranks | series) & ~holder_same] = -2
    # "Thousands" holds any count in its range: it neither backs a figure nor is backed.
    vague_one = np.isnan(p.value[a]) != np.isnan(p.value[b])
    rule[(rule == _NONE) & ov & vague_one] = -2
    equal = same_value(p, a, b, ov) if equal is None else equal
    assign(ov & (same_time | ~known | equal), Rule.AGREE_OVERLAP)
    # One figure under opposite hedges ("more than 33 million", "nearly 33 million"): it
    # did not move, whatever its intervals say.
    same_figure = np.isclose(p.value[a], p.value[b], rtol=1e-9, atol=0)
    assign(known & ~same_time & ~p.change[a] & same_figure, Rule.AGREE_SAME_FIGURE)
    # "Police deny the toll exceeds 125": against the figure of its day it denies; a count
    # days later ("132 people") is related by its interval like any other.
    assign((p.denied[a] | p.denied[b]) & (same_time | ~known), Rule.CONFLICT_DENIED)
    assign(p.revised[b], Rule.UPDATE_REVISED)
    assign(same_time & (p.provisional[a] | p.provisional[b]), Rule.UPDATE_PROVISIONAL)
    # "Toll rises to 261" in the morning, "climbs to 288" in the afternoon: a count told as
    # rising that differs on the same day moved within it.
    rising = (p.rising[a] | p.rising[b]) & ~fixed & known & ~p.change[a] & ~p.change[b]
    rising &= ~p.periodic[a] & ~p.periodic[b]  # a month's rate does not move within a day
    assign(same_time & ~ov & rising, Rule.UPDATE_PROVISIONAL)
    # A forecast made again later: 11% in June, 13% in August.
    assign(p.estimate[a] & p.estimate[b] & ~ov & (p.start[a] != p.start[b]), Rule.UPDATE_REVISED)
    # Two outlets' conversions of one sum differ by their rates, not by what they report.
    rule[(rule == _NONE) & same_time & ~ov & (converted(p, a, b) > 0)] = -2
    assign(same_time & ~ov, Rule.CONFLICT_DISJOINT_SAME_TIME)
    # An earlier event's figure ("300 died when a ferry sank in 1993") updates nothing, and
    # an estimate or a projection ("could reach 100") does not update a count, nor a count it.
    # A part does not update its whole, nor a whole its part ("Liberia with 7,830" cases in
    # December is no update of 6,574 in all in September).
    # A part told as its holder's own total is that holder's count, though: "Germany with 150"
    # in a list of countries in March, "Germany, with 2,033" in a table in August.
    later = known & ~fixed & ~p.background[a] & ~p.background[b]
    later &= (p.part[a] == p.part[b]) | holder_same
    # Two parts are one quantity only as one holder's: "nine children" among the dead is no
    # earlier count of Catarroja's 25.
    parts = p.part[a] & p.part[b]
    later &= ~parts | holder_same
    # A toll told later at under a third of its earlier figure, with no word of a revision, is
    # another toll (South Australia's three dead against Australia's 25), not the same one
    # fallen: the dead, the injured and the infected are counted up, never down.
    grows = _only_grows(p, settings)
    with np.errstate(invalid="ignore"):
        fell = grows[p.outcome[a]] & grows[p.outcome[b]] & (p.hi[b] < _FELL * p.lo[a])
    later &= ~(fell & counts & ~p.revised[b])
    assign(later & (p.estimate[a] == p.estimate[b]), Rule.UPDATE_DIFFERENT_TIME)
    rule[rule == -2] = _NONE
    return rule


def _only_grows(p: Profiles, settings: Settings) -> np.ndarray:
    """Per outcome code: whether its count only grows while a story runs."""
    words = counted_lexicon(settings.data_dir).cumulative_outcomes
    out = np.zeros(max(p.codes["outcome"].index.values(), default=0) + 2, dtype=bool)
    for name, code in p.codes["outcome"].index.items():
        out[code] = any(name == w or name.endswith(" " + w) for w in words)
    return out


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
    bar = settled_thresholds(settings)
    word_weight = word_weights(p)
    per = PerClaim.of(p, word_weight)
    kept: list[tuple[np.ndarray, ...]] = []
    for first in range(0, len(pairs), _CHUNK):
        chunk = pairs.take(np.arange(first, min(first + _CHUNK, len(pairs))))
        # Whether the intervals meet and the values are the same, once for the features and
        # the rules.
        x, y = chunk.a, chunk.b
        meets = overlap(p, x, y)
        equal = same_value(p, x, y, meets)
        columns = features(p, chunk, word_weight, per, equal)
        score = np.round(probability(columns, weights), 3)
        a, b = in_time_order(p, x, y)
        rule = relate(p, a, b, settings, meets, equal)
        ok = passes(rule, score, sure_enough_to_conflict(columns, small_counts(p, a, b)), bar)
        kept.append((a[ok], b[ok], rule[ok], score[ok]))
    if not kept:
        empty = np.zeros(0, dtype=np.int64)
        return Decided(empty, empty, empty, np.zeros(0))
    a, b, rule, score = (np.concatenate(x) for x in zip(*kept, strict=True))
    return matched_once(p, Decided(a, b, rule, score))


def matched_once(p: Profiles, d: Decided) -> Decided:
    """Without the conflicts of a figure that agrees better with another figure of the same
    report: Channel 4's "2,001,926 votes" (No) agrees with the Gazette's "2,001,926 ballots",
    so it does not also conflict with the Gazette's "1,617,989 votes" (Yes): a report states
    one figure per quantity, and it has already stated this one."""
    conflict = np.isin(d.rule, _CONFLICT_RULES)
    agree = np.flatnonzero(np.isin(d.rule, _AGREE_RULES))
    if not conflict.any() or not len(agree):
        return d
    docs = int(p.doc.max()) + 1
    # The best agreement of each (figure, other report), by key.
    keys = np.concatenate(
        [d.a[agree] * docs + p.doc[d.b[agree]], d.b[agree] * docs + p.doc[d.a[agree]]]
    )
    scores = np.concatenate([d.score[agree], d.score[agree]])
    order = np.lexsort((-scores, keys))
    keys, scores = keys[order], scores[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    keys, best = keys[first], scores[first]

    def beaten(key: np.ndarray, score: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
        out: np.ndarray = (keys[at] == key) & (best[at] > score)
        return out

    ca, cb, cs = d.a[conflict], d.b[conflict], d.score[conflict]
    taken = beaten(ca * docs + p.doc[cb], cs) | beaten(cb * docs + p.doc[ca], cs)
    keep = np.ones(len(d.rule), dtype=bool)
    keep[np.flatnonzero(conflict)[taken]] = False
    return Decided(d.a[keep], d.b[keep], d.rule[keep], d.score[keep])


def passes(rule: np.ndarray, score: np.ndarray, sure: np.ndarray, bar: Thresholds) -> np.ndarray:
    """Which pairs are kept: a rule, a score at its relation's bar, and a conflict only when
    nothing hints at two quantities (``sure``)."""
    is_conflict = np.isin(rule, _CONFLICT_RULES)
    needed = np.where(np.isin(rule, _AGREE_RULES), bar.agree, bar.relation)
    ok: np.ndarray = (rule != _NONE) & (score >= needed)
    ok &= ~is_conflict | ((score >= bar.conflict) & sure)
    return ok


def check_quantities(
    claims: ClaimsIn,
    documents: DocumentsIn,
    stories: StoryMap,
    settings: Settings,
) -> pa.Table:
    """Every relation between quantity claims of different documents, as columns; the same
    whatever the order the claims come in (neighbours in a block are taken in this order)."""
    return _concat(quantity_tables(claims, documents, stories, settings))


def quantity_tables(
    claims: ClaimsIn,
    documents: DocumentsIn,
    stories: StoryMap,
    settings: Settings,
) -> Iterator[pa.Table]:
    """The relations of :func:`check_quantities` in consecutive slices, so that they can be
    written out before the next slice's reasons are made."""
    given = None if isinstance(claims, pa.Table) else claims
    table = claim_table(claims)
    del claims  # the caller may let its claims go: only the columns kept below stay held
    keys = ("doc_id", "char_start", "char_end", "claim_id")
    order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]).to_numpy()
    p = build_profiles(table, stories, settings, order)
    if given is not None:
        p.claims.given = given  # a row is the claim as given
    del table, order
    date_by_figures(p, stories)
    if given is None:
        # From here on only these columns of the claims are read (the reasons', the relations'
        # ids, ``pairs.leads``): they are copied out in the profiles' order, so that their
        # words, key terms and cues (most of a million claims' memory) can go, even where the
        # columns share one buffer (a record batch read from an Arrow IPC file).
        kept = p.claims.table.select(_READ_AFTER_PROFILES).take(pa.array(p.claims.at))
        p.claims = ClaimRows(kept.combine_chunks(), np.arange(len(p)))
    release_freed()
    pairs = candidates(p, settings.crosscheck_window, by_claims=True)  # each verdict its own
    release_freed()
    decided = decide(p, pairs, settings)
    del pairs
    release_freed()
    yield from column_slices(p, decided, documents, stories)


def _concat(tables: Iterable[pa.Table]) -> pa.Table:
    return pa.concat_tables([RELATION_SCHEMA.empty_table(), *tables])


def columns(p: Profiles, d: Decided, documents: DocumentsIn, stories: StoryMap) -> pa.Table:
    """The relations' columns, sorted by (doc_a, doc_b, claim_a, claim_b), with reasons."""
    return _concat(column_slices(p, d, documents, stories))


def column_slices(
    p: Profiles,
    d: Decided,
    documents: DocumentsIn,
    stories: StoryMap,
    size: int = _SLICE,
) -> Iterator[pa.Table]:
    """:func:`columns` in slices of ``size`` relations, in order.

    A reason is put together from parts written once per claim (who says what, when) and per
    pair (shared words, the verdict), joined by Arrow's string kernels: a million relations
    take seconds, not a minute of Python string formatting."""
    if not len(d.a):
        return
    ids = p.claims.column("claim_id").cast(pa.string())
    # Ranks of the ids as strings (code point order), for sorting and for ordering each pair.
    claim_rank = np.empty(len(ids), dtype=np.int64)
    claim_rank[pc.sort_indices(ids).to_numpy()] = np.arange(len(ids))
    doc_names = pa.array(p.codes["doc"].names, pa.string())
    doc_code_rank = np.empty(len(doc_names), dtype=np.int64)
    doc_code_rank[pc.sort_indices(doc_names).to_numpy()] = np.arange(len(doc_names))
    doc_rank = doc_code_rank[p.doc]
    docs = pc.take(doc_names, pa.array(p.doc))
    # Two keys, (doc_a, doc_b) and (claim_a, claim_b), each one integer: half the sorting.
    docs_key = doc_rank[d.a] * len(doc_names) + doc_rank[d.b]
    claims_key = claim_rank[d.a] * len(ids) + claim_rank[d.b]
    order = np.lexsort((claims_key, docs_key))
    del docs_key, claims_key
    reasons = _Reasons(
        p, document_columns(documents), stories, unique_values(np.concatenate((d.a, d.b)))
    )
    relation_names = pa.array([r.relation for r in RULES], pa.string())
    rule_codes = pa.array([r.value for r in RULES], pa.string())
    words = _Words(p.codes["word"].names, p.words)
    for first in range(0, len(order), size):
        at = order[first : first + size]
        a, b, rule, score = d.a[at], d.b[at], d.rule[at], d.score[at]
        shared = _shared_lists(p.words, a, b, words)
        at_a, at_b, at_rule = pa.array(a), pa.array(b), pa.array(rule)
        columns = {
            "relation_id": pa.array(relation_ids(ids, claim_rank, a, b, rule), pa.string()),
            "claim_a": pc.take(ids, at_a),
            "claim_b": pc.take(ids, at_b),
            "doc_a": pc.take(docs, at_a),
            "doc_b": pc.take(docs, at_b),
            "claim_type": pa.repeat(pa.scalar("quantity", pa.string()), len(a)),
            "relation": pc.take(relation_names, at_rule),
            "rule": pc.take(rule_codes, at_rule),
            "reason": reasons.reasons(a, b, rule, score, shared),
            "score": pa.array(score, pa.float64()),
            "shared_terms": shared,
        }
        yield pa.table(columns, schema=RELATION_SCHEMA)
        # Let this slice go before the next is made: two slices' reasons would be held at once.
        del columns, shared


class _Words:
    """The story-specific word codes as written ("fire" for "s_1…\x1ffire"), their
    alphabetical rank, and the claims' words as columns (``pairs.Columns``)."""

    def __init__(self, codes: Sequence[str], lists: Lists) -> None:
        # What follows a code's first separator, if it has one.
        self.names = pc.replace_substring_regex(
            pa.array(codes, pa.string()), "^[^\x1f]*\x1f", "", max_replacements=1
        )
        # Arrow orders strings by their UTF-8 bytes, which is code point order, as Python's
        # sort does (ties are one name: their order changes no text), in C.
        self.by_rank = pc.sort_indices(self.names).to_numpy()
        self.rank = np.empty(len(codes), dtype=np.int64)
        self.rank[self.by_rank] = np.arange(len(codes))
        self.columns = Columns.of(lists)


def _shared_lists(lists: Lists, a: np.ndarray, b: np.ndarray, words: _Words) -> pa.ListArray:
    """Per pair, the words both claims use, as written, in alphabetical order. Short lists
    are compared as columns; pairs with a longer one by expanding and sorting their lists."""
    items = words.columns.items
    side_b = items[:, b]
    rank = np.full((len(items), len(a)), len(words.names), dtype=np.int64)  # past every rank
    hit = np.empty(len(a), dtype=bool)
    equal = np.empty(len(a), dtype=bool)
    for k, item in enumerate(items[:, a]):
        hit[:] = False
        for other in side_b:
            np.equal(item, other, out=equal)
            hit |= equal
        hit &= item >= 0
        rank[k, hit] = words.rank[item[hit]]
    rank.sort(axis=0)
    past = len(words.names)
    shared = past > rank.T
    pair = np.flatnonzero(shared) // len(items)
    ranked = rank.T[shared]
    longer = np.flatnonzero(words.columns.longer[a] | words.columns.longer[b])
    if len(longer):
        keep = ~np.isin(pair, longer)
        long_pair, long_word = _shared_expanded(lists, a[longer], b[longer], words)
        pair = np.concatenate((pair[keep], longer[long_pair]))
        ranked = np.concatenate((ranked[keep], words.rank[long_word]))
        in_order = np.argsort(pair, kind="stable")  # each pair's words are in order already
        pair, ranked = pair[in_order], ranked[in_order]
    offsets = np.zeros(len(a) + 1, dtype=np.int32)
    np.cumsum(np.bincount(pair, minlength=len(a)), out=offsets[1:])
    values = pc.take(words.names, pa.array(words.by_rank[ranked]))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _shared_expanded(
    lists: Lists, a: np.ndarray, b: np.ndarray, words: _Words
) -> tuple[np.ndarray, np.ndarray]:
    """(pair, word) of the words both claims of each pair use, by pair then alphabetically:
    the lists expanded, sorted and read for codes met twice."""
    items, ptr = lists.items, lists.ptr
    width = len(words.names)
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
    by_name = np.lexsort((words.rank[word], pair))
    return pair[by_name], word[by_name]


def relation_ids(
    ids: pa.Array,
    claim_rank: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    rule: np.ndarray,
) -> list[str]:
    """``Relation.make_id`` of every pair (the same digest, tested), in one loop, from the
    claim ids (``ids``, taken for these pairs only) and the pairs' rules (rows of ``RULES``);
    ``claim_rank`` orders the ids as strings."""
    in_order = claim_rank[a] <= claim_rank[b]
    first = pc.take(ids, pa.array(np.where(in_order, a, b))).to_pylist()
    second = pc.take(ids, pa.array(np.where(in_order, b, a))).to_pylist()
    sha = hashlib.sha256
    kinds = [f"\x1f{r.relation}" for r in RULES]
    return [
        "r_" + sha(f"{x}\x1f{y}{kinds[r]}".encode()).hexdigest()[:16]
        for x, y, r in zip(first, second, rule.tolist(), strict=True)
    ]


def _codes(strings: pa.Array) -> np.ndarray:
    """A code per string, equal for equal strings (nulls their own code, -1); the code is the
    row of its first occurrence."""
    encoded = strings.dictionary_encode()
    first = np.full(len(encoded.dictionary) + 1, -1, dtype=np.int64)
    indices = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()
    rows = np.arange(len(indices))[::-1]
    first[indices[::-1]] = rows  # the last write per code is its first occurrence
    first[-1] = -1
    codes: np.ndarray = first[indices]
    return codes


def _at(strings: pa.Array, row: int) -> str | None:
    return None if row < 0 else strings[row].as_py()  # type: ignore[no-any-return]


def _texts(keys: list[np.ndarray], make: Callable[..., str]) -> tuple[pa.Array, np.ndarray]:
    """``make(*key)`` for each distinct key of the rows (parallel columns), and each row's
    text among them: called once per distinct key (keys equal as Python compares them), with
    the values of its first row, as a dict of the texts made so far would be."""
    n = len(keys[0]) if keys else 0
    if not n:
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
    order = np.lexsort(keys[::-1])
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for column in keys:
        ordered = column[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    group = np.cumsum(new) - 1
    # Each distinct key's first row, whose values it is written from (the sort is stable).
    first = order[new]
    values = [column[first].tolist() for column in keys]
    texts = pa.array([make(*key) for key in zip(*values, strict=True)], pa.string())
    of_row = np.empty(n, dtype=np.int64)
    of_row[order] = group
    return texts, of_row


class _Reasons:
    """Reasons that name outlets and dates, from parts written once per claim."""

    def __init__(
        self,
        p: Profiles,
        documents: DocColumns,
        stories: StoryMap,
        used: np.ndarray,
    ) -> None:
        self.p, self.stories = p, stories
        self._numbers: dict[float, str] = {}
        # Each part of each claim a relation names. Claims share most parts (an outlet, a
        # day, a figure restated), so each distinct one is written once, in Python, and the
        # rest is gathers and joins.
        rows = used
        kinds, measures = p.codes["kind"].names, p.codes["measure"].names
        outcomes, currencies = p.codes["outcome"].names, p.codes["currency"].names
        explicit = TIME_BASES.index("explicit")
        # Who says it, once per document named: its outlet, else its title, and its date.
        doc_codes = unique_values(p.doc[rows])
        doc_names = [p.codes["doc"].names[k] for k in doc_codes.tolist()]
        source_of = pa.array(
            list(map(self._source, doc_names, documents.rows(doc_names))), pa.string()
        )
        source = (source_of, np.searchsorted(doc_codes, p.doc[rows]))
        kind = p.kind[rows]
        time_text = p.claims.column("time_text", rows)
        holder = p.claims.column("holder", rows)
        figure = [kind, p.currency[rows], p.lo[rows], p.hi[rows], p.lo_inc[rows], p.hi_inc[rows]]
        interval = _texts(
            figure,
            lambda k, cur, lo, hi, lo_inc, hi_inc: self._interval(
                kinds[k], currencies[cur], lo, hi, lo_inc, hi_inc
            ),
        )
        stated = p.basis[rows] == explicit
        when = [kind, p.fixed[rows], p.start[rows], p.end[rows], stated, _codes(time_text)]
        whens = _texts(
            when,
            lambda k, fixed, start, end, explicit, at: self._when(
                kinds[k], fixed, start, end, explicit, _at(time_text, at)
            ),
        )
        quantity = [kind, p.measure[rows], p.outcome[rows], _codes(holder)]
        what = _texts(
            quantity,
            lambda k, measure, outcome, at: self._what(
                kinds[k], measures[measure], outcomes[outcome], _at(holder, at)
            ),
        )
        # Kept as each distinct text and each claim's number among them (-1: not named):
        # a million claims' parts written out would take hundreds of megabytes.
        self.parts: dict[str, tuple[pa.Array, np.ndarray]] = {}
        for name, (texts, of_row) in (
            ("source", source),
            ("interval", interval),
            ("when", whens),
            ("what", what),
        ):
            at = np.full(len(p), -1, dtype=np.int32 if len(texts) < 2**31 else np.int64)
            at[rows] = of_row
            self.parts[name] = (texts, at)

    def part(self, name: str, rows: np.ndarray) -> pa.Array:
        """Part ``name`` of the claims ``rows`` (each named by a relation)."""
        texts, at = self.parts[name]
        return texts.take(pa.array(at[rows]))

    def said(self, rows: np.ndarray) -> pa.Array:
        """Who says what, when, of the claims ``rows``."""
        span = self.p.claims.column("span", rows)
        return pc.binary_join_element_wise(
            self.part("source", rows),
            ' says "',
            span,
            '" = ',
            self.part("interval", rows),
            " ",
            self.part("when", rows),
            "",
        )

    def _source(self, doc_id: str, doc: DocRow | None) -> str:
        name = (doc.outlet if doc else None) or (doc.title if doc else None) or doc_id
        if doc is not None and doc.published is not None:
            return f"{name} ({doc.published.isoformat()})"
        day = self.stories.date(doc_id)
        how = {"url": "its URL", "dateline": "its dateline", "figures": "its figures"}.get(
            self.stories.date_basis.get(doc_id, ""), "its story"
        )
        return f"{name} (undated; {day.isoformat()} from {how})" if day else f"{name} (undated)"

    @staticmethod
    def _when(
        kind: str, fixed: bool, start: int, end: int, explicit: bool, time_text: str | None
    ) -> str:
        if fixed:
            return "(a fixed property)"
        if kind == "date" and start >= 0:
            return f"(a projected date, as of {date.fromordinal(start).isoformat()})"
        if start < 0:
            return "at an unknown time"
        first, last = date.fromordinal(start), date.fromordinal(end)
        stated = f' ("{time_text}")' if explicit and time_text else ""
        if first == last:
            return f"as of {first.isoformat()}{stated}"
        return f"for {first.isoformat()} to {last.isoformat()}{stated}"

    def _interval(
        self, kind: str, currency: str, lo: float, hi: float, lo_inc: bool, hi_inc: bool
    ) -> str:
        if kind == "date":
            return format_days(lo, hi)
        if currency:
            euros = format_euros(lo, hi, lo_inc, hi_inc)
            rate = "" if currency == "EUR" else f" (from {currency} at the ECB rate of its day)"
            return euros + rate
        return format_interval(lo, hi, lo_inc, hi_inc, self._number)

    def _number(self, v: float) -> str:
        # One figure is restated by many claims, and is an end of their intervals twice over.
        found = self._numbers.get(v)
        if found is None:
            found = self._numbers[v] = format_number(v)
        return found

    @staticmethod
    def _what(kind: str, measure: str, outcome: str, holder: str | None) -> str:
        if kind == "percent":
            what = "a percentage"
        elif kind == "date":
            what = "a date"
        elif kind == "money":
            what = "a sum of money" if measure == "money" else f"an amount in {measure}"
        else:
            noun = "people" if measure == "person" else measure
            what = f"{noun} {outcome}" if outcome else noun
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
        join = pc.binary_join_element_wise

        def newer(rows: np.ndarray) -> pa.Array:
            return self.part("source", b[rows])

        def disjoint(rows: np.ndarray) -> pa.Array:
            x, y = a[rows], b[rows]
            side = pa.array(np.where(p.hi[x] <= p.lo[y], "below", "above"))
            when = pa.array(np.where(p.fixed[x] | p.fixed[y], "a fixed property", "the same time"))
            ia, ib = self.part("interval", x), self.part("interval", y)
            return join(
                when,
                ", and the intervals are disjoint (",
                ia,
                " lies ",
                side,
                " ",
                ib,
                "), so both cannot be true",
                "",
            )

        def revised(rows: np.ndarray) -> pa.Array:
            return join(
                "the newer figure is presented as a revision, so ", newer(rows), " supersedes", ""
            )

        def moved(rows: np.ndarray) -> pa.Array:
            return join(
                "a figure that moves as the story runs, stated at different times: the newer "
                "figure (",
                newer(rows),
                ") supersedes",
                "",
            )

        fixed = {
            Rule.AGREE_OVERLAP: "the intervals overlap, so the figures agree",
            Rule.AGREE_SAME_FIGURE: (
                "the same figure under another hedge on another day, so it did not move"
            ),
            Rule.CONFLICT_DENIED: "one side reports the figure as denied or refuted",
            Rule.UPDATE_PROVISIONAL: (
                "one figure is a snapshot of a count still running (so far, partial), so the "
                "two are stages of one count, not a contradiction"
            ),
        }
        made = {
            Rule.CONFLICT_DISJOINT_SAME_TIME: disjoint,
            Rule.UPDATE_REVISED: revised,
            Rule.UPDATE_DIFFERENT_TIME: moved,
        }
        # Each pair's verdict taken from one pool: the fixed texts, then each made one.
        pool = [pa.array([fixed.get(r, r.meaning) for r in RULES], pa.string())]
        at = rule.astype(np.int64)
        offset = len(RULES)
        for r, make in made.items():
            rows = np.flatnonzero(rule == RULES.index(r))
            if len(rows):
                pool.append(make(rows).cast(pa.string()))
                at[rows] = offset + np.arange(len(rows))
                offset += len(rows)
        verdict = pc.take(pa.concat_arrays(pool), pa.array(at))
        words = pc.binary_join(shared, ", ")
        head = pc.if_else(
            pc.greater(pc.list_value_length(shared), 0),
            join("; shared words: ", words, ")", ""),
            pa.scalar(")", pa.string()),
        )
        hundredths = np.rint(score * 100).astype(np.int64)
        texts = [
            f"{1 if h >= 100 else 0}.{h % 100:02d}" for h in range(hundredths.max(initial=0) + 1)
        ]
        score_text = pc.take(pa.array(texts, pa.string()), pa.array(hundredths))
        codes = pc.take(pa.array([r.value for r in RULES], pa.string()), pa.array(rule))
        reason: pa.Array = join(
            codes,
            ": Same quantity (",
            self.part("what", a),
            head,
            ". ",
            self.said(a),
            "; ",
            self.said(b),
            "; ",
            verdict,
            " (score ",
            score_text,
            ").",
            "",
        )
        return reason
