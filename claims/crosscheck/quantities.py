"""Quantity claims of different documents compared: one quantity or not, and if so agree,
conflict or update, with a score and a reason a reviewer can read.

Candidate pairs and their features come from ``pairs``; the score is the probability that
the two claims are one quantity, a logistic model over the features whose weights are fitted
on the development corpus (``pair_weights`` in ``claims/data/crosscheck.json``, fitted by
``bench/fit_crosscheck.py``). A pair is related when its score reaches
``Settings.min_relation_score`` (``min_conflict_score`` for a conflict: a wrong conflict
costs a reviewer's trust). Which relation follows from the times and intervals
(shared/CLAIMS.md):

* at the same time (the same day for figures that move while a story runs, any time for
  fixed properties such as a tower's floors or a transfer fee), overlapping intervals agree
  and disjoint ones conflict;
* at different times, a moving figure agrees only with the same value; another value is an
  update (a toll that rose, a figure revised);
* a figure presented as revised updates the one before it; one reported as denied conflicts;
* a date guessed for an undated document never makes a conflict on its own, and two periods
  that do not overlap (two months' inflation) are different quantities.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from claims.crosscheck.intervals import format_interval, intervals_overlap
from claims.crosscheck.pairs import FEATURES, Block, blocks, candidates, features, same_value
from claims.crosscheck.profiles import Profile, build_profiles, counted_lexicon
from claims.crosscheck.rules import Rule
from claims.crosscheck.stories import StoryMap
from claims.lexicon import load_json
from claims.models import Document, QuantityClaim, Relation
from claims.settings import DATA_DIR, Settings

Columns = dict[str, Any]
_GUESSED = frozenset({"story", "none"})


def no_columns() -> Columns:
    return {name: [] for name in Relation.model_fields}


@dataclass(frozen=True)
class Decision:
    a: Profile  # the older claim
    b: Profile
    rule: Rule
    score: float
    shared: tuple[str, ...]


@lru_cache(maxsize=4)
def pair_weights(data_dir: Path = DATA_DIR) -> tuple[float, ...]:
    """The fitted weight of each feature, in :data:`pairs.FEATURES` order."""
    raw = load_json("crosscheck.json", data_dir)["pair_weights"]
    missing = [f for f in FEATURES if f not in raw]
    if missing:
        raise ValueError(f"crosscheck.json: pair_weights lacks {', '.join(missing)}")
    return tuple(float(raw[f]) for f in FEATURES)


def probability(vector: Sequence[float], weights: Sequence[float]) -> float:
    z = sum(v * w for v, w in zip(vector, weights, strict=True))
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def relate(a: Profile, b: Profile, settings: Settings) -> Rule | None:
    """The relation of two claims taken as one quantity (``a`` the older), or None when
    nothing should be said."""
    if _period(a) and _period(b) and not _overlaps(a, b):
        return None  # two months' inflation, two years' budgets: different quantities
    same_time = _same_time(a, b, settings.same_time_tolerance_days)
    overlap = intervals_overlap(a.interval, b.interval)
    # At different times a moving figure agrees only with itself: "at least 17" dead one day
    # and 71 months later overlap as intervals, but the toll moved.
    if overlap and (same_time or a.start is None or b.start is None or same_value(a, b)):
        return Rule.AGREE_OVERLAP
    if "denied" in (a.claim.stance, b.claim.stance):
        return Rule.CONFLICT_DENIED
    if b.claim.stance == "revised":
        return Rule.UPDATE_REVISED
    if same_time and (a.provisional or b.provisional):
        return Rule.UPDATE_PROVISIONAL
    if a.estimate and b.estimate and not overlap and a.start != b.start:
        return Rule.UPDATE_REVISED  # a forecast revised: 11% in June, 13% in August
    if same_time and not overlap:
        return Rule.CONFLICT_DISJOINT_SAME_TIME
    if a.start is None or b.start is None or a.fixed or b.fixed:
        return None
    return Rule.UPDATE_DIFFERENT_TIME


def in_time_order(x: Profile, y: Profile) -> tuple[Profile, Profile]:
    kx = (x.end if x.end is not None else -1, x.start or -1, x.claim.claim_id)
    ky = (y.end if y.end is not None else -1, y.start or -1, y.claim.claim_id)
    return (x, y) if kx <= ky else (y, x)


def _period(p: Profile) -> bool:
    return (
        p.time_basis == "explicit" and p.start is not None and p.end is not None and p.end > p.start
    )


def _overlaps(a: Profile, b: Profile) -> bool:
    assert a.start is not None and a.end is not None and b.start is not None and b.end is not None
    return max(a.start, b.start) <= min(a.end, b.end)


def _same_time(a: Profile, b: Profile, slow_days: int) -> bool:
    """Whether two figures describe the same moment: always for fixed properties; within
    ``slow_days`` for slow ones (a coalition's members); for figures that move by the day,
    overlapping stated times or the same day. Never on a guessed date, unless fixed."""
    if a.fixed or b.fixed:
        return True
    if a.start is None or b.start is None:
        return False
    if a.time_basis in _GUESSED or b.time_basis in _GUESSED:
        return False
    assert a.end is not None and b.end is not None
    stated = a.time_basis == "explicit" and b.time_basis == "explicit"
    slack = slow_days if (a.slow and b.slow and not stated) else 0
    return max(a.start, b.start) <= min(a.end, b.end) + slack


def decide(block: Block, x: Profile, y: Profile, settings: Settings) -> Decision | None:
    """The relation of a candidate pair, or None."""
    vector, shared = features(block, x, y)
    score = round(probability(vector, pair_weights(settings.data_dir)), 3)
    if score < settings.min_relation_score:
        return None
    a, b = in_time_order(x, y)
    rule = relate(a, b, settings)
    if rule is None:
        return None
    if rule.relation == "conflict" and (
        score < settings.min_conflict_score or not sure_enough_to_conflict(vector)
    ):
        return None
    return Decision(a, b, rule, score, shared)


_FEATURE = {name: k for k, name in enumerate(FEATURES)}
_CONFLICT_VETO = (
    "place_differs",
    "holder_differs",
    "holder_one_side",
    "facet_clash",
    "part",
    "change_one_side",
    "estimate_one_side",
    "outcome_differs",
    "outcome_one_side",
)


def sure_enough_to_conflict(vector: Sequence[float]) -> bool:
    """A conflict is flagged only when nothing hints at two quantities: no place, name,
    facet or outcome on one side that the other lacks or contradicts, no part, change or
    estimate; and a generic figure (a percentage, a sum, a length) shares its words or its
    holder with the other. When unsure, do not flag."""
    if any(vector[_FEATURE[name]] for name in _CONFLICT_VETO):
        return False
    if vector[_FEATURE["generic"]] or vector[_FEATURE["measure_kind"]]:
        return bool(vector[_FEATURE["holder_same"]]) or vector[_FEATURE["similarity"]] >= 0.3
    return True


def check_quantities(
    claims: Sequence[QuantityClaim],
    documents: Mapping[str, Document],
    stories: StoryMap,
    settings: Settings,
) -> Columns:
    """Every relation between quantity claims of different documents, as columns."""
    lex = counted_lexicon(settings.data_dir)
    profiles = build_profiles(claims, stories, settings)
    decisions = []
    seen: set[tuple[int, int]] = set()
    for block in blocks(profiles, lex.facet_distance):
        for x, y in candidates(block, settings.crosscheck_window, seen):
            found = decide(block, x, y, settings)
            if found is not None:
                decisions.append(found)
    decisions.sort(
        key=lambda d: (d.a.claim.doc_id, d.b.claim.doc_id, d.a.claim.claim_id, d.b.claim.claim_id)
    )
    return _columns(decisions, documents, stories)


def _columns(
    decisions: list[Decision], documents: Mapping[str, Document], stories: StoryMap
) -> Columns:
    out = no_columns()
    for d in decisions:
        a, b = d.a.claim, d.b.claim
        relation = d.rule.relation
        out["relation_id"].append(relation_id(a.claim_id, b.claim_id, relation))
        out["claim_a"].append(a.claim_id)
        out["claim_b"].append(b.claim_id)
        out["doc_a"].append(a.doc_id)
        out["doc_b"].append(b.doc_id)
        out["claim_type"].append("quantity")
        out["relation"].append(relation)
        out["rule"].append(d.rule.value)
        out["reason"].append(reason(d, documents, stories))
        out["score"].append(d.score)
        out["shared_terms"].append(list(d.shared))
    return out


def relation_id(a: str, b: str, relation: str) -> str:
    """``Relation.make_id`` inlined (same digest, tested): it is called once per relation."""
    first, second = (a, b) if a <= b else (b, a)
    digest = hashlib.sha256(f"{first}\x1f{second}\x1f{relation}".encode()).hexdigest()
    return f"r_{digest[:16]}"


# --- reasons ----------------------------------------------------------------------------------


def _source(p: Profile, documents: Mapping[str, Document], stories: StoryMap) -> str:
    doc = documents.get(p.claim.doc_id)
    name = (doc.outlet if doc else None) or (doc.title if doc else None) or p.claim.doc_id
    if doc is not None and doc.published is not None:
        return f"{name} ({doc.published.isoformat()})"
    day = stories.date(p.claim.doc_id)
    how = {"url": "its URL", "dateline": "its dateline", "figures": "its figures"}.get(
        stories.date_basis.get(p.claim.doc_id, ""), "its story"
    )
    return f"{name} (undated; {day.isoformat()} from {how})" if day else f"{name} (undated)"


def _when(p: Profile) -> str:
    if p.start is None or p.end is None:
        return "at an unknown time"
    if p.fixed:
        return "(a fixed property)"
    first, last = date.fromordinal(p.start), date.fromordinal(p.end)
    stated = f' ("{p.claim.time_text}")' if p.time_basis == "explicit" and p.claim.time_text else ""
    if first == last:
        return f"as of {first.isoformat()}{stated}"
    return f"for {first.isoformat()} to {last.isoformat()}{stated}"


def _what(p: Profile) -> str:
    if p.kind == "percent":
        what = "a percentage"
    elif p.kind == "money":
        what = f"an amount in {p.measure}"
    else:
        noun = "people" if p.measure == "person" else p.measure
        what = f"{noun} {p.outcome}" if p.outcome else noun
    return f"{what} of {p.holder}" if p.holder else what


def reason(d: Decision, documents: Mapping[str, Document], stories: StoryMap) -> str:
    """One paragraph a reviewer can read: what the quantity is, who says what when, and why
    that makes this relation."""
    a, b = d.a, d.b
    ia, ib = format_interval(*a.interval), format_interval(*b.interval)
    head = f"Same quantity ({_what(a)}"
    head += f"; shared words: {', '.join(d.shared)})" if d.shared else ")"
    said = (
        f'{_source(a, documents, stories)} says "{a.claim.span}" = {ia} {_when(a)}; '
        f'{_source(b, documents, stories)} says "{b.claim.span}" = {ib} {_when(b)}'
    )
    newer = _source(b, documents, stories)
    side = "below" if a.interval[1] <= b.interval[0] else "above"
    verdict = {
        Rule.AGREE_OVERLAP: "the intervals overlap, so the figures agree",
        Rule.CONFLICT_DISJOINT_SAME_TIME: (
            f"{'a fixed property' if a.fixed and b.fixed else 'the same time'}, and the "
            f"intervals are disjoint ({ia} lies {side} {ib}), so both cannot be true"
        ),
        Rule.CONFLICT_DENIED: "one side reports the figure as denied or refuted",
        Rule.UPDATE_REVISED: f"the newer figure is presented as a revision, so {newer} supersedes",
        Rule.UPDATE_PROVISIONAL: (
            "one figure is a snapshot of a count still running (so far, partial), so the two "
            "are stages of one count, not a contradiction"
        ),
        Rule.UPDATE_DIFFERENT_TIME: (
            f"a figure that moves as the story runs, stated at different times: the newer "
            f"figure ({newer}) supersedes"
        ),
    }.get(d.rule, d.rule.meaning)
    return f"{d.rule.value}: {head}. {said}; {verdict} (score {d.score:.2f})."
