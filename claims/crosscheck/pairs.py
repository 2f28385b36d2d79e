"""Candidate pairs of quantity claims and what tells whether they are one quantity.

Claims meet only within a story, of one kind and measure (``Profile.block``), from different
documents, and at most ``Settings.crosscheck_window`` neighbours apart in time within their
block. Each pair gets a vector of named features (:data:`FEATURES`): what both profiles say
about what is counted, whose figure it is, the places, the words, the values and the times.
``quantities`` turns the vector into a probability with weights fitted on the development
corpus (``bench/fit_crosscheck.py``), and the times and intervals into a relation.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from claims.crosscheck.intervals import Interval, intervals_overlap
from claims.crosscheck.profiles import Profile

# The features, in the order of the vector; a weight per name lives in crosscheck.json.
FEATURES: tuple[str, ...] = (
    "bias",
    "measure_same",
    "outcome_same",
    "outcome_differs",
    "outcome_one_side",
    "holder_same",
    "holder_differs",
    "holder_one_side",
    "facet_same",
    "facet_clash",
    "place_differs",
    "part",
    "estimate_one_side",
    "estimate_both",
    "change_one_side",
    "change_both",
    "similarity",
    "entities_shared",
    "same_value",
    "ratio_at_one_time",
    "ratio_apart",
    "same_day",
    "days_apart",
    "outcome_same_apart",
    "fixed",
    "generic",
    "generic_similarity",
    "measure_kind",
)
_GENERIC_KINDS = frozenset({"percent", "money", "duration"})


@dataclass(frozen=True)
class Block:
    """Claims of one block: the places its figures usually name (the setting, not a part of
    it), and how rare each descriptive word is among them."""

    members: list[Profile]
    setting: frozenset[str]
    weight: dict[str, float]
    facet_distance: int

    @classmethod
    def of(cls, members: list[Profile], facet_distance: int) -> Block:
        per_doc: dict[str, set[str]] = defaultdict(set)
        for p in members:
            per_doc[p.claim.doc_id] |= p.places
        naming: Counter[str] = Counter()
        for places in per_doc.values():
            naming.update(places)
        need = max(2, math.ceil(0.5 * len(per_doc)))
        df: Counter[str] = Counter()
        for p in members:
            df.update(p.words)
        n = len(members)
        weight = {w: math.log((n + 1) / (k + 0.5)) for w, k in df.items()}
        setting = frozenset(x for x, k in naming.items() if k >= need)
        return cls(members, setting, weight, facet_distance)

    def narrowing(self, p: Profile) -> frozenset[str]:
        """The places that make ``p`` a part of the story: those its block does not usually
        name. A list of places ("in Guinea, Liberia and Sierra Leone") is a whole."""
        return frozenset() if len(p.places) >= 3 else p.places - self.setting

    def similarity(self, a: Profile, b: Profile) -> tuple[float, tuple[str, ...]]:
        """Dice overlap of the two claims' words, each weighted by its rarity in the block."""
        shared = a.words & b.words
        total = sum(self.weight.get(w, 0.0) for w in a.words) + sum(
            self.weight.get(w, 0.0) for w in b.words
        )
        if total <= 0:
            return 0.0, ()
        common = sum(self.weight.get(w, 0.0) for w in shared)
        return 2 * common / total, tuple(sorted(shared))


def blocks(profiles: Sequence[Profile], facet_distance: int) -> list[Block]:
    """Claims that may be one quantity: of one story and kind, and of one measure, or one
    outcome (a unit misread by the extractor still names what happened), or one value."""
    grouped: dict[tuple[str, ...], list[Profile]] = defaultdict(list)
    for p in profiles:
        grouped[p.story, p.kind, "measure", p.measure].append(p)
        if p.outcome:
            grouped[p.story, p.kind, "outcome", p.outcome].append(p)
        if p.claim.value is not None:
            value = p.claim.value * p.claim.measure_factor
            grouped[p.story, p.kind, "value", f"{value:.6g}"].append(p)
    out = []
    for key in sorted(grouped):
        members = sorted(grouped[key], key=lambda p: (p.start or 0, p.claim.claim_id))
        if len({p.claim.doc_id for p in members}) > 1:
            out.append(Block.of(members, facet_distance))
    return out


def candidates(
    block: Block, window: int, seen: set[tuple[int, int]]
) -> Iterator[tuple[Profile, Profile]]:
    """Pairs of different documents, each claim with its next ``window`` in time order; a
    pair already given by another block (``seen``) is not given again."""
    members = block.members
    for i, x in enumerate(members):
        for y in members[i + 1 : i + 1 + window]:
            key = (min(x.index, y.index), max(x.index, y.index))
            if x.claim.doc_id != y.claim.doc_id and key not in seen:
                seen.add(key)
                yield x, y


def same_name(x: str, y: str) -> bool:
    """'macron' and 'emmanuel macron' name one person; a shared last word is enough."""
    return x == y or x.split()[-1] == y.split()[-1]


def same_value(a: Profile, b: Profile) -> bool:
    """Whether two figures state the same value: within the rounding either allows, or within
    a few percent when either is hedged ("about 80" and "at least 80")."""
    ca, cb = a.claim, b.claim
    if ca.value is None or cb.value is None:
        return intervals_overlap(a.interval, b.interval)
    va, vb = ca.value * ca.measure_factor, cb.value * cb.measure_factor
    slack = max(ca.tolerance * ca.measure_factor, cb.tolerance * cb.measure_factor)
    if ca.qualifier or cb.qualifier:
        slack = max(slack, 0.05 * max(abs(va), abs(vb)))
    return abs(va - vb) <= slack + 1e-9 * max(abs(va), abs(vb), 1.0)


def value_ratio(a: Interval, b: Interval) -> float:
    """|log| of the ratio of the two figures' middles (0 when equal); 3 when unknown."""
    va, vb = _middle(a), _middle(b)
    if va is None or vb is None or va <= 0 or vb <= 0:
        return 3.0
    return min(abs(math.log(va / vb)), 3.0)


def _middle(iv: Interval) -> float | None:
    lo, hi = iv[0], iv[1]
    if math.isinf(lo) and math.isinf(hi):
        return None
    if math.isinf(hi):
        return lo
    if math.isinf(lo) or lo <= 0:
        return hi
    return (lo + hi) / 2


def facets_near(p: Profile, distance: int) -> dict[str, str]:
    return {f: v for f, v, d in p.facets if d <= distance}


def features(block: Block, x: Profile, y: Profile) -> tuple[list[float], tuple[str, ...]]:
    """The feature vector of a pair (in :data:`FEATURES` order) and the words they share."""
    similarity, shared = block.similarity(x, y)
    fx, fy = facets_near(x, block.facet_distance), facets_near(y, block.facet_distance)
    common = fx.keys() & fy.keys()
    generic = x.kind in _GENERIC_KINDS or (x.measure == "person" and x.outcome is None)
    days = None
    if x.start is not None and y.start is not None:
        assert x.end is not None and y.end is not None
        days = max(0, max(x.start, y.start) - min(x.end, y.end))
    ratio = value_ratio(x.interval, y.interval)
    one_time = days == 0 or (x.fixed and y.fixed) or (x.slow and y.slow)
    values = {
        "bias": 1.0,
        "measure_same": float(x.measure == y.measure),
        "outcome_same": float(bool(x.outcome and y.outcome and x.outcome == y.outcome)),
        "outcome_differs": float(bool(x.outcome and y.outcome and x.outcome != y.outcome)),
        "outcome_one_side": float(bool(x.outcome) != bool(y.outcome)),
        "holder_same": float(bool(x.holder and y.holder and same_name(x.holder, y.holder))),
        "holder_differs": float(bool(x.holder and y.holder and not same_name(x.holder, y.holder))),
        "holder_one_side": float(bool(x.holder) != bool(y.holder)),
        "facet_same": float(any(fx[f] == fy[f] for f in common)),
        "facet_clash": float(any(fx[f] != fy[f] for f in common)),
        "place_differs": float(block.narrowing(x) != block.narrowing(y)),
        "part": float(x.part or y.part),
        "estimate_one_side": float(x.estimate != y.estimate),
        "estimate_both": float(x.estimate and y.estimate),
        "change_one_side": float(x.change != y.change),
        "change_both": float(x.change and y.change),
        "similarity": similarity,
        "entities_shared": float(min(len(x.entities & y.entities), 3)) / 3,
        "same_value": float(same_value(x, y)),
        # Two figures far apart in value are one quantity only if time separates them (a toll
        # of 9 and one of 85 a fortnight later), not on the same day.
        "ratio_at_one_time": ratio if one_time else 0.0,
        "ratio_apart": 0.0 if one_time else ratio,
        "same_day": float(days == 0),
        "days_apart": math.log1p(days) / 5 if days is not None else 0.5,
        "outcome_same_apart": float(bool(x.outcome and x.outcome == y.outcome and not one_time)),
        "fixed": float(x.fixed and y.fixed),
        "generic": float(generic),
        "generic_similarity": similarity if generic else 0.0,
        "measure_kind": float(x.kind == "measure"),
    }
    return [values[name] for name in FEATURES], shared
