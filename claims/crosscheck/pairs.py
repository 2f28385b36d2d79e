"""Quantity claims as arrays, and the candidate pairs the rules decide.

The first half of the ``quantitycheck`` engine: each claim's measure, scope, interval and key
terms become numpy arrays once (:func:`prepare`); claims are blocked by measure and sorted
neighbourhoods give the candidate pairs (:func:`candidates`); each pair gets the rule its
intervals and times call for (:func:`decide`, :func:`nearest_updates`). All of it is array
work, so its cost grows linearly with the claims.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from claims.crosscheck import (
    _CODES,
    _CUMULATIVE,
    _SCOPES,
    _STATE,
    Rule,
    _interval,
    _scope_of,
)
from claims.lexicon import (
    KeyTerm,
    content_words,
    crosscheck_lexicon,
    measure_for,
    parse_key_term,
)
from claims.models import Document, QuantityClaim
from claims.settings import Settings


@dataclass
class IdLists:
    """A list of distinct item ids per claim, as arrays: claim i has
    ``items[ptr[i]:ptr[i + 1]]`` (compressed sparse rows)."""

    ptr: np.ndarray
    items: np.ndarray
    width: int  # one more than the largest item id

    @classmethod
    def build(cls, n: int, owner: np.ndarray, item: np.ndarray) -> IdLists:
        width = int(item.max(initial=0)) + 1
        codes = sorted_unique(owner * width + item)
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
class ClaimArrays:
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
    anchors: IdLists  # per claim: ids of its key terms' anchors
    entity_anchors: IdLists  # per claim: ids of its entity terms' anchors
    word_ids: IdLists  # per claim: ids of its descriptive words
    group: np.ndarray  # id of the claim's (kind, measure, scope_type)
    keys: IdLists  # per claim: the anchors it is blocked by (its entities', else all)

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


def prepare(
    claims: Sequence[QuantityClaim], documents: Mapping[str, Document], settings: Settings
) -> ClaimArrays:
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
    pairs = sorted_unique(owner[term >= 0] * n_terms + term[term >= 0])
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
    return ClaimArrays(
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
        anchors=IdLists.build(n, e_claim, t_anchor[e_term]),
        entity_anchors=IdLists.build(n, e_claim[entity_entries], t_anchor[e_term[entity_entries]]),
        word_ids=IdLists.build(n, np.concatenate(word_owner), np.concatenate(word_item)),
        group=np.array(group_of, dtype=np.int64),
        keys=IdLists.build(n, e_claim[use], t_anchor[e_term[use]]),
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


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values; ``np.unique`` (hash-based in numpy 2.4) is ~20x slower here."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _expand(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row k: k repeated count[k] times, with positions first[k], first[k] + 1, ..."""
    rows = np.repeat(np.arange(len(first)), count)
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return rows, np.repeat(first, count) + offsets


def _entries(q: ClaimArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def candidates(q: ClaimArrays, window: int, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
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
    codes = sorted_unique(low * len(q.claims) + high)
    return codes // len(q.claims), codes % len(q.claims)


def decide(
    q: ClaimArrays, a: np.ndarray, b: np.ndarray, max_gap: int
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


def nearest_updates(q: ClaimArrays, a: np.ndarray, b: np.ndarray, rule: np.ndarray) -> np.ndarray:
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
