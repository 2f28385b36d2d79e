"""Candidate pairs of quantity claims, and the features that tell whether they are one quantity.

Claims meet only within a story, of one kind, and in a block: one measure, or one outcome (a
unit the extractor misread still names what happened), or one value (two outlets giving the
same figure). Within a block, claims sorted by time each meet their next
``Settings.crosscheck_window`` from other documents, so the work grows linearly with the
claims. Each pair gets the named features of :data:`FEATURES` (what both say about what is
counted, whose figure it is, places, words, values, times); ``quantities`` turns them into a
probability with weights fitted on the development corpus (``bench/fit_crosscheck.py``).
Everything is numpy over all pairs at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from claims.crosscheck.profiles import Lists, Profiles, guessed_either, levels, unique_values
from claims.memory import release_freed

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
    "rare_entity_differs",
    "part",
    "estimate_one_side",
    "estimate_both",
    "change_one_side",
    "change_both",
    "similarity",
    "entities_shared",
    "same_value",
    "same_value_crowded",
    "ratio_at_one_time",
    "ratio_apart",
    "ratio_per_time",
    "same_day",
    "days_apart",
    "outcome_same_apart",
    "count_rose_apart",
    "fixed",
    "generic",
    "generic_similarity",
    "measure_kind",
    "date_kind",
    "lead_both",
    "lead_one_side",
    "vague_one_side",
    "vague_both",
    "span_runs_on",
)
_GENERIC_KINDS = ("percent", "money", "duration")
_SEED = 20240
_KEY_RANGES = 4  # ranges of pair keys deduplicated apart (``_first_of_each``)


@dataclass
class Entries:
    """Claims in their blocks, one entry per (block, claim), with the block's facts per entry."""

    row: np.ndarray  # the claim's row in ``Profiles``
    narrowing: np.ndarray  # hash of the places that make a claim a part of its block
    rare: np.ndarray  # hash of the names only its document gives in the block
    crowd: np.ndarray  # log(1 + figures of the block within 5% of it)


@dataclass
class Pairs:
    """Candidate pairs as two entries each (``ea`` before ``eb`` in time order within their
    block); ``a``, ``b`` are their rows in ``Profiles``. A pair is two small integers, and
    what is known of each side is gathered from its entry when asked: tens of millions of
    pairs fit in memory."""

    ea: np.ndarray
    eb: np.ndarray
    entries: Entries

    def __len__(self) -> int:
        return len(self.ea)

    def take(self, keep: np.ndarray) -> Pairs:
        return Pairs(self.ea[keep], self.eb[keep], self.entries)

    @property
    def a(self) -> np.ndarray:
        return self.entries.row[self.ea]  # type: ignore[no-any-return]

    @property
    def b(self) -> np.ndarray:
        return self.entries.row[self.eb]  # type: ignore[no-any-return]

    @property
    def narrowing_a(self) -> np.ndarray:
        return self.entries.narrowing[self.ea]  # type: ignore[no-any-return]

    @property
    def narrowing_b(self) -> np.ndarray:
        return self.entries.narrowing[self.eb]  # type: ignore[no-any-return]

    @property
    def rare_a(self) -> np.ndarray:
        return self.entries.rare[self.ea]  # type: ignore[no-any-return]

    @property
    def rare_b(self) -> np.ndarray:
        return self.entries.rare[self.eb]  # type: ignore[no-any-return]

    @property
    def crowd_a(self) -> np.ndarray:
        return self.entries.crowd[self.ea]  # type: ignore[no-any-return]

    @property
    def crowd_b(self) -> np.ndarray:
        return self.entries.crowd[self.eb]  # type: ignore[no-any-return]


def _expand(lists: Lists, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in ``rows``, item) for every item of every listed row."""
    sizes = lists.ptr[rows + 1] - lists.ptr[rows]
    owner = np.repeat(np.arange(len(rows)), sizes)
    # Item k of the expansion is item (k - where its row starts here) of the row's list.
    shift = np.repeat(lists.ptr[rows] - (np.cumsum(sizes) - sizes), sizes)
    return owner, lists.items[np.arange(len(owner)) + shift]


def _hash_codes(n: int) -> np.ndarray:
    return np.random.default_rng(_SEED).integers(1, 2**62, size=n + 1).astype(np.uint64)


def _set_hash(owner: np.ndarray, items: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    """Per owner, a hash of its kept items (0 for none): equal sets, equal hashes."""
    codes = _hash_codes(int(items.max(initial=0)))
    out = np.zeros(n, dtype=np.uint64)
    np.add.at(out, owner[keep], codes[items[keep]])
    return out


def _row_ids(key: np.ndarray) -> np.ndarray:
    """Each row's rank among the distinct rows of ``key`` in lexicographic order: what
    ``np.unique(key, axis=0, return_inverse=True)`` gives, a few times faster (it sorts rows as
    opaque bytes)."""
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    low, high = key.min(axis=0), key.max(axis=0)
    bits = [int(x).bit_length() for x in (high - low).tolist()]
    new = np.ones(len(key), dtype=bool)
    if sum(bits) <= 62:
        # The columns packed into one integer in the same order: one sort instead of four.
        packed = np.zeros(len(key), dtype=np.int64)
        for column, shift in zip(key.T, bits, strict=True):
            packed <<= shift
            packed += column - column.min()
        order = np.argsort(packed)  # equal rows get one id whatever their order
        packed = packed[order]
        new[1:] = packed[1:] != packed[:-1]
    else:
        order = np.lexsort(key.T[::-1])
        ordered = key[order]
        new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    ids = np.empty(len(key), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


def _blocks(p: Profiles) -> tuple[np.ndarray, np.ndarray]:
    """Entries (block id, row): each claim in its measure block, its outcome block and its
    value block."""
    n = len(p)
    rows = np.arange(n)
    finite = np.isfinite(p.value) & (p.value != 0)
    value_code = np.full(n, -1, dtype=np.int64)
    if finite.any():
        # One value block per figure to six significant digits: a value, not an interval.
        v = p.value[finite]
        magnitude = np.floor(np.log10(np.abs(v))).astype(np.int64)
        mantissa = np.round(v / 10.0 ** (magnitude - 5)).astype(np.int64)
        value_code[finite] = _row_ids(np.stack([magnitude, mantissa], axis=1))
    kinds = [
        (np.zeros(n, dtype=np.int64), p.measure, np.ones(n, dtype=bool)),
        (np.ones(n, dtype=np.int64), p.outcome, p.outcome > 0),
        (np.full(n, 2, dtype=np.int64), value_code, value_code >= 0),
    ]
    keys, entry_rows = [], []
    for tag, what, present in kinds:
        r = rows[present]
        keys.append(np.stack([p.story[r], p.kind[r], tag[r], what[r]], axis=1))
        entry_rows.append(r)
    key = np.concatenate(keys) if keys else np.zeros((0, 4), dtype=np.int64)
    row = np.concatenate(entry_rows) if entry_rows else np.zeros(0, dtype=np.int64)
    return _row_ids(key), row


def candidates(p: Profiles, window: int, by_claims: bool = False) -> Pairs:
    """Each pair worth deciding, once (from the first block that gives it), in the order of
    their entries; with ``by_claims``, in the order of their claims' rows (the lower, then
    the higher), as they come out of deduplicating them: a chunk of pairs then names claims
    of a narrow range of rows, whose columns its gathers read from cache (deciding a
    million claims' pairs: 12.2 s -> 8.9 s)."""
    block, row = _blocks(p)
    if not len(row):
        empty = np.zeros(0, dtype=np.int64)
        none = Entries(
            empty, np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64), np.zeros(0)
        )
        return Pairs(empty, empty, none)
    order = np.lexsort((row, p.start[row], block))
    block, row = block[order], row[order]
    # A block that only one document fills gives no pair.
    narrowing, rare, crowd = _block_facts(p, block, row)
    ea_parts, eb_parts = [], []
    doc = p.doc[row]
    # Entry numbers in 32 bits when they fit: a million claims give tens of millions of pairs.
    small = np.int32 if len(row) < 2**31 - window else np.int64
    for k in range(1, window + 1):
        # Entries k apart, compared as shifted views rather than gathered.
        same_block = block[:-k] == block[k:]
        i = np.flatnonzero(same_block & (doc[:-k] != doc[k:])).astype(small)
        ea_parts.append(i)
        eb_parts.append(i + k)
        if not same_block.any():
            break
    del block, doc
    ea = np.concatenate(ea_parts) if ea_parts else np.zeros(0, dtype=small)
    eb = np.concatenate(eb_parts) if eb_parts else np.zeros(0, dtype=small)
    del ea_parts, eb_parts
    release_freed()  # what the blocks' facts left, before the pairs' keys take their place
    first = _first_of_each(row, ea, eb, len(p), by_claims)
    return Pairs(*first, Entries(row, narrowing, rare, crowd))


def _first_of_each(
    row: np.ndarray, ea: np.ndarray, eb: np.ndarray, n: int, by_claims: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The entry pairs whose two claims no earlier pair joins, in order (``by_claims``: in
    the order of their claims' rows, lower then higher): what
    ``np.unique(key, return_index=True)`` keeps, with one pair key alive at a time and sorted
    a range of keys at a time (a million claims give some twenty million entry pairs)."""
    key = row[ea]
    other = row[eb]
    # min * n + max with two arrays alive, not three: with d = other - key, it is
    # key * (n + 1) + d when d >= 0 and key * (n + 1) + d * n when d < 0.
    other -= key
    np.multiply(other, n, out=other, where=other < 0)
    key *= n + 1
    key += other
    del other
    # Deduplicated a range of keys at a time: equal keys fall in one range, and each range's
    # sort holds a fraction of the pairs, not all of them twice.
    firsts = []
    step = n * n // _KEY_RANGES + 1  # keys are below n * n
    for lo in range(0, step * _KEY_RANGES, step):
        inside = key >= lo
        inside &= key < lo + step
        at = np.flatnonzero(inside)
        del inside
        part = key[at]
        order = np.argsort(part, kind="stable")  # the first of equal keys is the earliest
        part = part[order]
        new = np.empty(len(part), dtype=bool)
        new[:1] = True
        np.not_equal(part[1:], part[:-1], out=new[1:])
        firsts.append(at[order[new]])
        del at, part, order, new
    del key
    first = np.concatenate(firsts)  # by key: by lower row, then higher
    del firsts
    if not by_claims:
        first.sort()
    return ea[first], eb[first]


def _block_facts(
    p: Profiles, block: np.ndarray, row: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per entry: the narrowing hash (places its block does not usually name), the rare-names
    hash (names no other document of the block gives) and the crowding of its value."""
    m = len(row)
    narrowing = _uncommon_hash(p.places, block, row, p.doc, share=0.5, whole_at=3)
    rare = _uncommon_hash(p.entities, block, row, p.doc, share=0.0, whole_at=None)
    level = levels(p)[row]
    crowd = np.zeros(m)
    valid = ~np.isnan(level)
    if valid.any():
        idx = np.flatnonzero(valid)
        # Sort by (block, level); count neighbours within 0.05 (5%) in the same block.
        order = idx[np.lexsort((level[idx], block[idx]))]
        # Blocks never overlap in the combined key: sizes are logs (|x| < 1e2), but a date's
        # level is its months since 1970 ("since 1923": -564).
        span = max(1e3, 4 * float(np.abs(level[idx]).max()))
        combined = block[order] * span + level[order]
        lo = np.searchsorted(combined, combined - 0.05, side="left")
        hi = np.searchsorted(combined, combined + 0.05, side="right")
        crowd[order] = np.log1p(hi - lo - 1)
    return narrowing, rare, crowd


def _uncommon_hash(
    lists: Lists,
    block: np.ndarray,
    row: np.ndarray,
    doc: np.ndarray,
    share: float,
    whole_at: int | None,
) -> np.ndarray:
    """Per entry, a hash of its items that are not common in its block: named by fewer than
    max(2, ``share`` of the block's documents) of them (for ``share`` 0: by one document only).
    An entry with ``whole_at`` items or more names a whole ("in Guinea, Liberia and Sierra
    Leone"): hash 0."""
    m = len(row)
    owner, item = _expand(lists, row)
    if not len(item):
        return np.zeros(m, dtype=np.uint64)
    width = int(item.max()) + 1
    # Documents per block, and documents naming each (block, item).
    n_docs_block = np.bincount(
        unique_values(block * (doc.max() + 1) + doc[row]) // (doc.max() + 1),
        minlength=block.max() + 1,
    )
    bi = block[owner] * width + item
    pairs = np.stack([bi, doc[row[owner]]], axis=1)
    ids = _row_ids(pairs)
    distinct = np.zeros(int(ids.max()) + 1, dtype=np.int64)
    distinct[ids] = bi  # the block-item of each distinct (block-item, document)
    keys, counts = np.unique(distinct, return_counts=True)
    need = np.maximum(2, np.ceil(share * n_docs_block[keys // width]))
    common_keys = keys[counts >= need]
    # common_keys is sorted (np.unique's): looked up by bisection, without isin's sort of both.
    at = np.minimum(np.searchsorted(common_keys, bi), max(len(common_keys) - 1, 0))
    common = common_keys[at] == bi if len(common_keys) else np.zeros(len(bi), dtype=bool)
    out = _set_hash(owner, item, ~common, m)
    if whole_at is not None:
        sizes = lists.ptr[row + 1] - lists.ptr[row]
        out[sizes >= whole_at] = 0
    return out


def _shared_weight(lists: Lists, a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """For each pair, the summed weight of the items rows a[k] and b[k] share."""
    if not len(a):
        return np.zeros(0)
    width = int(lists.items.max(initial=0)) + 1
    oa, ia = _expand(lists, a)
    ob, ib = _expand(lists, b)
    # Both expansions are sorted by (pair, item) already: a's items are looked up in b's.
    code_a, code_b = oa * width + ia, ob * width + ib
    at = np.minimum(np.searchsorted(code_b, code_a), max(len(code_b) - 1, 0))
    shared = code_b[at] == code_a if len(code_b) else np.zeros(len(code_a), dtype=bool)
    return np.bincount(oa[shared], weights=weight[ia[shared]], minlength=len(a))


_DENSE_ITEMS = 8  # lists up to this long are compared as columns (``Columns``)


@dataclass
class Columns:
    """A :class:`Lists` as ``_DENSE_ITEMS`` columns at most (item k of each row in column k,
    -1 past its end), and which rows are longer: two short lists are compared item against
    item in a few vector passes, without expanding and searching them."""

    items: np.ndarray  # (columns, rows)
    longer: np.ndarray  # rows with more items than columns

    @classmethod
    def of(cls, lists: Lists) -> Columns:
        sizes = lists.sizes()
        width = max(min(int(sizes.max(initial=0)), _DENSE_ITEMS), 1)
        small = int(lists.items.max(initial=0)) < 2**31  # half the memory to stream through
        items = np.full((width, len(sizes)), -1, dtype=np.int32 if small else np.int64)
        owner = np.repeat(np.arange(len(sizes)), sizes)
        at = np.arange(len(lists.items)) - np.repeat(lists.ptr[:-1], sizes)
        fits = at < width
        items[at[fits], owner[fits]] = lists.items[fits]
        return cls(items, sizes > width)


def _shared_weight_columns(
    lists: Lists, columns: Columns, a: np.ndarray, b: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """:func:`_shared_weight`, the same floats: each pair's shared weights are added in the
    order of a's items, as ``np.bincount`` adds them, an item not shared adding 0.0."""
    side_b = columns.items[:, b]
    out = np.zeros(len(a))
    hit = np.empty(len(a), dtype=bool)
    equal = np.empty(len(a), dtype=bool)
    for item in columns.items[:, a]:
        hit[:] = False
        for other in side_b:
            np.equal(item, other, out=equal)
            hit |= equal
        hit &= item >= 0
        out += np.where(hit, weight[item], 0.0)
    longer = np.flatnonzero(columns.longer[a] | columns.longer[b])
    if len(longer):
        out[longer] = _shared_weight(lists, a[longer], b[longer], weight)
    return out


def _row_weight(lists: Lists, rows: np.ndarray, running: np.ndarray) -> np.ndarray:
    """The summed weight of each row's items; ``running`` the running sum of the weights of
    all items (:func:`running_weights`)."""
    weights: np.ndarray = running[lists.ptr[rows + 1]] - running[lists.ptr[rows]]
    return weights


def running_weights(lists: Lists, weight: np.ndarray) -> np.ndarray:
    running: np.ndarray = np.r_[0.0, np.cumsum(weight[lists.items])]
    return running


@dataclass
class PerClaim:
    """What :func:`features` reads per claim, made once for every chunk of pairs."""

    level: np.ndarray
    running: np.ndarray  # running sum of the word weights
    vague: np.ndarray
    words: Columns
    entities: Columns

    @classmethod
    def of(cls, p: Profiles, weight: np.ndarray) -> PerClaim:
        running = running_weights(p.words, weight)
        words, entities = Columns.of(p.words), Columns.of(p.entities)
        return cls(levels(p), running, np.isnan(p.value), words, entities)


def word_weights(p: Profiles) -> np.ndarray:
    """Each (story-specific) word's rarity among its story's claims: a word most claims of a
    story use ("fire" in a fire) says little about which quantity a figure is."""
    items = p.words.items
    width = int(items.max(initial=0)) + 1
    df = np.bincount(items, minlength=width)
    owner = np.repeat(np.arange(len(p)), p.words.sizes())
    per_story = np.bincount(p.story, minlength=int(p.story.max(initial=0)) + 1)
    story_of_word = np.zeros(width, dtype=np.int64)
    story_of_word[items] = p.story[owner]
    n = per_story[story_of_word]
    return np.log((n + 1) / (df + 0.5))


def same_value(
    p: Profiles, a: np.ndarray, b: np.ndarray, meets: np.ndarray | None = None
) -> np.ndarray:
    """Whether the two figures state the same value: within the rounding either allows, or
    within 5% when either is hedged ("about 80" and "at least 80"); for vague amounts, whether
    their intervals meet (``meets``, the pairs' :func:`overlap` when it is known)."""
    va, vb = p.value[a], p.value[b]
    scale = np.maximum(np.maximum(np.abs(va), np.abs(vb)), 1.0)
    slack = np.maximum(p.slack[a], p.slack[b]) + converted(p, a, b) * scale
    close = np.abs(va - vb) <= slack + 1e-9 * scale
    vague = np.isnan(va) | np.isnan(vb)
    return np.where(vague, overlap(p, a, b) if meets is None else meets, close)


def converted(p: Profiles, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, the share each side may move for being converted from another currency
    (0 when both sums were stated in one currency)."""
    ca, cb = p.currency[a], p.currency[b]
    cross = (ca > 0) & (cb > 0) & (ca != cb)
    return np.where(cross, p.currency_slack, 0.0)


def overlap(p: Profiles, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether the intervals of a and b share a point (±inf open); sums stated in two
    currencies each widen by ``currency_slack``."""
    share = converted(p, a, b)
    la, ha, lb, hb = p.lo[a], p.hi[a], p.lo[b], p.hi[b]
    moved = np.flatnonzero(share)  # only pairs of sums in two currencies are widened
    if len(moved):
        by = share[moved]
        for end, sign in ((la, -1.0), (ha, 1.0), (lb, -1.0), (hb, 1.0)):
            x = end[moved]
            with np.errstate(invalid="ignore"):  # 0 * inf where an end is open: nan, then the end
                widened = x - by * np.abs(x) if sign < 0 else x + by * np.abs(x)
            end[moved] = np.where(np.isnan(widened), x, widened)
    lo = np.maximum(la, lb)
    hi = np.minimum(ha, hb)
    ends = ((la, ha, p.lo_inc[a], p.hi_inc[a]), (lb, hb, p.lo_inc[b], p.hi_inc[b]))
    holds = [((x_lo < lo) | inc_lo) & ((x_hi > lo) | inc_hi) for x_lo, x_hi, inc_lo, inc_hi in ends]
    meets: np.ndarray = (lo < hi) | ((lo == hi) & holds[0] & holds[1])
    return meets


def features(
    p: Profiles,
    pairs: Pairs,
    weight: np.ndarray,
    per: PerClaim | None = None,
    equal: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The feature columns of every pair, named as in :data:`FEATURES`; ``per`` what they
    read per claim, when it is made once for many calls; ``equal`` the pairs'
    :func:`same_value`, when it is known."""
    per = PerClaim.of(p, weight) if per is None else per
    a, b = pairs.a, pairs.b
    n = len(a)
    out: dict[str, np.ndarray] = {"bias": np.ones(n)}

    def both(x: np.ndarray) -> np.ndarray:
        mask: np.ndarray = (x[a] > 0) & (x[b] > 0)
        return mask

    out["measure_same"] = p.measure[a] == p.measure[b]
    out["outcome_same"] = both(p.outcome) & (p.outcome[a] == p.outcome[b])
    out["outcome_differs"] = both(p.outcome) & (p.outcome[a] != p.outcome[b])
    out["outcome_one_side"] = (p.outcome[a] > 0) != (p.outcome[b] > 0)
    held = both(p.holder)
    same_holder = (p.holder[a] == p.holder[b]) | (p.holder_last[a] == p.holder_last[b])
    out["holder_same"] = held & same_holder
    out["holder_differs"] = held & ~same_holder
    out["holder_one_side"] = (p.holder[a] > 0) != (p.holder[b] > 0)
    facet_same = np.zeros(n, dtype=bool)
    facet_clash = np.zeros(n, dtype=bool)
    for values in p.facets.values():
        named = (values[a] > 0) & (values[b] > 0)
        facet_same |= named & (values[a] == values[b])
        facet_clash |= named & (values[a] != values[b])
    out["facet_same"] = facet_same
    out["facet_clash"] = facet_clash
    out["place_differs"] = pairs.narrowing_a != pairs.narrowing_b
    out["rare_entity_differs"] = pairs.rare_a != pairs.rare_b
    out["part"] = p.part[a] | p.part[b]
    out["estimate_one_side"] = p.estimate[a] != p.estimate[b]
    out["estimate_both"] = p.estimate[a] & p.estimate[b]
    out["change_one_side"] = p.change[a] != p.change[b]
    out["change_both"] = p.change[a] & p.change[b]
    shared = _shared_weight_columns(p.words, per.words, a, b, weight)
    total = _row_weight(p.words, a, per.running) + _row_weight(p.words, b, per.running)
    similarity = np.where(total > 0, 2 * shared / np.where(total > 0, total, 1), 0.0)
    out["similarity"] = similarity
    ones = np.ones(int(p.entities.items.max(initial=0)) + 1)
    entities = _shared_weight_columns(p.entities, per.entities, a, b, ones)
    out["entities_shared"] = np.minimum(entities, 3) / 3
    equal = same_value(p, a, b) if equal is None else equal
    out["same_value"] = equal
    out["same_value_crowded"] = np.where(equal, (pairs.crowd_a + pairs.crowd_b) / 2, 0.0)
    level = per.level
    ratio = np.abs(level[a] - level[b])
    ratio = np.where(np.isnan(ratio), 3.0, np.minimum(ratio, 3.0))
    # A date guessed for an undated document (from its story) says nothing about whether two
    # figures were of one day.
    known = (p.start[a] >= 0) & (p.start[b] >= 0) & ~guessed_either(p, a, b)
    days = np.where(
        known,
        np.maximum(0, np.maximum(p.start[a], p.start[b]) - np.minimum(p.end[a], p.end[b])),
        -1,
    )
    one_time = (days == 0) | (p.fixed[a] & p.fixed[b]) | (p.slow[a] & p.slow[b])
    out["ratio_at_one_time"] = np.where(one_time, ratio, 0.0)
    out["ratio_apart"] = np.where(one_time, 0.0, ratio)
    out["ratio_per_time"] = np.where(
        one_time | ~known, 0.0, ratio / (1 + np.log1p(np.maximum(days, 0)))
    )
    out["same_day"] = days == 0
    # A tower's flats are as many in November as in June: days between say nothing of them.
    fixed = p.fixed[a] & p.fixed[b]
    out["days_apart"] = np.where(
        fixed, 0.0, np.where(known, np.log1p(np.maximum(days, 0)) / 5, 0.5)
    )
    out["outcome_same_apart"] = out["outcome_same"] & ~one_time
    # A running count grows: 6 dead on 21 January, 722 on 7 February. The later of two counts
    # of one outcome at different times being the larger is what an update looks like.
    count = p.codes["kind"].index.get("count", -1)
    later_b = p.start[b] > p.start[a]
    with np.errstate(invalid="ignore"):
        rose = np.where(later_b, p.value[b] >= p.value[a], p.value[a] >= p.value[b])
    out["count_rose_apart"] = (
        out["outcome_same_apart"] & known & (p.kind[a] == count) & (p.start[a] != p.start[b]) & rose
    )
    out["fixed"] = fixed
    generic_kinds = [p.codes["kind"].index.get(k, -1) for k in _GENERIC_KINDS]
    person = p.codes["measure"].index.get("person", -1)
    generic = np.isin(p.kind[a], generic_kinds) | ((p.measure[a] == person) & (p.outcome[a] == 0))
    out["generic"] = generic
    out["generic_similarity"] = np.where(generic, similarity, 0.0)
    out["measure_kind"] = p.kind[a] == p.codes["kind"].index.get("measure", -1)
    out["date_kind"] = p.kind[a] == p.codes["kind"].index.get("date", -1)
    # "More than five days" trapped on 28 June, "13 days" on 6 July, an "18-day ordeal" on
    # 10 July: a span still running grows by the days between the reports.
    duration = p.codes["kind"].index.get("duration", -1)
    elapsed = (p.start[b] - p.start[a]).astype(np.float64)
    grew = p.value[b] - p.value[a]
    with np.errstate(invalid="ignore"):
        runs_on = np.abs(grew - elapsed) <= np.maximum(1.5, 0.25 * np.abs(elapsed))
    out["span_runs_on"] = (
        (p.kind[a] == duration) & (p.kind[b] == duration) & known & (np.abs(elapsed) >= 1) & runs_on
    )
    vague = per.vague
    out["vague_one_side"] = vague[a] != vague[b]
    out["vague_both"] = vague[a] & vague[b]
    lead = leads(p)
    out["lead_both"] = lead[a] & lead[b]
    out["lead_one_side"] = lead[a] != lead[b]
    return {name: np.asarray(out[name], dtype=np.float64) for name in FEATURES}


def leads(p: Profiles) -> np.ndarray:
    """Whether each claim is its document's first figure of its kind, measure and outcome:
    news puts the figure of the story first and its parts after it."""
    if p.lead is not None:  # features are made chunk by chunk: this is the same for each
        return p.lead
    n = len(p)
    out = np.zeros(n, dtype=bool)
    if not n:
        return out
    pos = p.claims.column("char_start").to_numpy().astype(np.int64)
    order = np.lexsort((pos, p.outcome, p.measure, p.kind, p.doc))
    key = np.stack([p.doc, p.kind, p.measure, p.outcome], axis=1)[order]
    first = np.ones(n, dtype=bool)
    first[1:] = (key[1:] != key[:-1]).any(axis=1)
    out[order] = first
    p.lead = out
    return out


def matrix(columns: dict[str, np.ndarray]) -> np.ndarray:
    return np.stack([columns[name] for name in FEATURES], axis=1)


__all__ = [
    "FEATURES",
    "Pairs",
    "PerClaim",
    "candidates",
    "converted",
    "features",
    "matrix",
    "overlap",
]
