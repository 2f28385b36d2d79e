"""Quantity claims compared in numpy: blocking, candidate pairs, the rules, scores and reasons.

The engine behind ``crosscheck.cross_check_frame`` (see ``claims/crosscheck.py`` for what makes
two claims the same quantity and which rule decides). Claims become arrays once; blocks, sorted
neighbourhoods, gates and scores are array operations, so the cost grows linearly with the
claims; Python runs only per distinct term, per distinct pair of term sets, and per relation
written. Relations come out as columns, ready for one bulk insert.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.dtypes import StringDType

from claims.crosscheck import (
    _CODES,
    _CUMULATIVE,
    _MEANING,
    _SCOPES,
    _STATE,
    Rule,
    _interval,
    _scope_of,
    format_interval,
)
from claims.lexicon import (
    KeyTerm,
    content_words,
    crosscheck_lexicon,
    measure_for,
    parse_key_term,
    role_compatible,
)
from claims.models import Document, QuantityClaim, Relation
from claims.settings import Settings

_TEXT = StringDType()
_EPOCH = date(1970, 1, 1).toordinal()
_RULE_TEXT = np.array([r.value for r in Rule], dtype=_TEXT)
_RULE_CODE = np.array([r.value for r in Rule], dtype=object)
_RELATION_KIND = np.array([_MEANING[r][0] for r in Rule], dtype=object)

# Relations as columns named like ``Relation``'s fields, in its order.
Columns = dict[str, Any]


def _no_columns() -> Columns:
    return {name: [] for name in Relation.model_fields}


def to_columns(relations: Sequence[Relation]) -> Columns:
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


def check_quantities(
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
