"""Quantity claims as cross-checking compares them: one row per first mention, as arrays.

What a figure counts was read from its sentence when it was extracted (``reading``: the
``counted``, ``holder``, ``facets``, ``cues``, ``places`` and ``context_words`` fields). Here
each claim gets its story and a time from it: its own time words, else its document's date,
else the date its story gives an undated document. A figure that moves by the day (a toll)
is read as of the day it was reported, whatever past day its clause names ("the blast on
Tuesday has killed 158": Saturday's toll); a forecast as of the day it was made. Undated
documents whose story date is only a guess are dated, where the evidence is clear, by the
day whose reports give their moving figures (``_date_by_figures``).

Everything per claim is an array (codes for strings, CSR lists for sets), so that candidate
pairs and their features are computed for millions of claims with numpy.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, repeat
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claims.crosscheck.columns import (
    ClaimRows,
    ReadRow,
    as_floats,
    as_mask,
    claim_table,
    read_rows,
)
from claims.crosscheck.intervals import INF, claim_intervals
from claims.crosscheck.money import euros_per
from claims.crosscheck.reading import MONTHS, counted_lexicon
from claims.crosscheck.stories import StoryMap
from claims.crosscheck.terms import parse_key_term
from claims.lexicon import crosscheck_lexicon, measure_for
from claims.models import DAY_ZERO, QuantityClaim
from claims.settings import Settings

TIME_BASES = ("explicit", "published", "url", "dateline", "figures", "story", "none")
GUESSED = frozenset({TIME_BASES.index("story"), TIME_BASES.index("none")})
_KNOWN = (TIME_BASES.index("published"), TIME_BASES.index("url"), TIME_BASES.index("dateline"))
_DATING_MAX = 1.0  # weighted mean |log ratio| of the best day's figures (2 dead against 4: 0.69)
_DATING_MARGIN = 0.4
_PAST_YEARS = 1  # a year named more than this before the document dates a past event
_FLOW_DAYS = 31  # a count over a stated span at most this long is a change, not a level
_ENTITY_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP", "EVENT", "PRODUCT"})


class Codes:
    """Strings to small integers (0 is reserved for "none")."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = [""]

    def __call__(self, name: str | None) -> int:
        if not name:
            return 0
        code = self.index.get(name)
        if code is None:
            code = self.index[name] = len(self.names)
            self.names.append(name)
        return code

    def encode(self, values: Sequence[str | None] | pa.Array) -> np.ndarray:
        """The code of each of ``values``, numbered as calling this on each in turn would:
        Arrow numbers distinct values in order of first appearance, so only those are coded
        in Python."""
        if not len(values):
            return np.zeros(0, dtype=np.int64)
        strings = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
        encoded = strings.dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        # The new ones numbered in order, then every one looked up: dict lookups in C loops
        # (a million claims' story-specific words are a million names).
        known = map(self.index.get, distinct)
        fresh = [v for v, k in zip(distinct, known, strict=True) if k is None and v]
        first = len(self.names)
        self.index.update(zip(fresh, range(first, first + len(fresh)), strict=True))
        self.names += fresh
        mapped = np.fromiter(
            chain(map(self.index.get, distinct, repeat(0)), (0,)), np.int64, len(distinct) + 1
        )
        at = encoded.indices.fill_null(len(mapped) - 1).to_numpy()
        out: np.ndarray = mapped[at]
        return out


def unique_values(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by sorting: numpy 2.4 finds distinct values with a hash table,
    which takes seconds for millions of mostly distinct integers."""
    ordered = np.sort(values, axis=None)
    if not len(ordered):
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    out: np.ndarray = ordered[keep]
    return out


@dataclass
class Lists:
    """A list of item codes per claim (compressed sparse rows): claim i has
    ``items[ptr[i]:ptr[i + 1]]``, sorted and distinct."""

    ptr: np.ndarray
    items: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[Sequence[int]]) -> Lists:
        distinct = [sorted(set(r)) for r in rows]
        ptr = np.zeros(len(distinct) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in distinct], out=ptr[1:])
        flat = [x for r in distinct for x in r]
        return cls(ptr, np.fromiter(flat, dtype=np.int64, count=len(flat)))

    @classmethod
    def concat(cls, parts: Sequence[Lists]) -> Lists:
        """The rows of ``parts``, one after the other."""
        sizes = np.concatenate([np.diff(p.ptr) for p in parts])
        ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=ptr[1:])
        return cls(ptr, np.concatenate([p.items for p in parts]))

    @classmethod
    def flat(cls, sizes: Sequence[int] | np.ndarray, items: np.ndarray) -> Lists:
        """Rows of ``sizes[i]`` consecutive ``items`` each, made sorted and distinct."""
        owner = np.repeat(np.arange(len(sizes)), np.asarray(sizes, dtype=np.int64))
        order = np.lexsort((items, owner))
        owner, items = owner[order], items[order]
        keep = np.ones(len(items), dtype=bool)
        keep[1:] = (owner[1:] != owner[:-1]) | (items[1:] != items[:-1])
        owner, items = owner[keep], items[keep]
        ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner, minlength=len(sizes)), out=ptr[1:])
        return cls(ptr, items.astype(np.int64))

    def sizes(self) -> np.ndarray:
        return np.diff(self.ptr)


@dataclass
class Profiles:
    """The comparable claims (first mentions with an interval, a measure and a story), one row
    each, as parallel arrays; ``claims[i]`` is row i's claim (``claims.column`` its fields)."""

    claims: ClaimRows
    story: np.ndarray
    doc: np.ndarray
    kind: np.ndarray
    measure: np.ndarray
    currency: np.ndarray  # the currency a sum converted to euros was stated in (0: none)
    outcome: np.ndarray
    holder: np.ndarray
    holder_last: np.ndarray  # the holder's last word: "emmanuel macron" is "macron"
    facets: dict[str, np.ndarray]  # per facet, each claim's value code
    part: np.ndarray
    change: np.ndarray
    estimate: np.ndarray
    projection: np.ndarray  # an estimate that looks ahead ("could reach 100")
    background: np.ndarray  # dated to a year well before its report: an earlier event's figure
    fixed: np.ndarray
    slow: np.ndarray
    provisional: np.ndarray
    periodic: np.ndarray  # a monthly or quarterly statistic's figure (a jobless rate, inflation)
    rising: np.ndarray  # told as the new level of a count that moves ("the toll rose to 288")
    revised: np.ndarray  # the text presents it as a revision or correction
    denied: np.ndarray  # the text reports it as denied or refuted
    lo: np.ndarray
    hi: np.ndarray
    lo_inc: np.ndarray
    hi_inc: np.ndarray
    value: np.ndarray  # the stated value in base units (nan when vague)
    slack: np.ndarray  # the rounding it allows, or 5% when hedged: "the same value" within it
    start: np.ndarray  # date ordinals of the time described (-1: unknown)
    end: np.ndarray
    basis: np.ndarray  # index into TIME_BASES
    places: Lists
    entities: Lists
    words: Lists  # story-specific word codes, so their rarity is their story's
    codes: dict[str, Codes]
    currency_slack: float = 0.0  # Settings.currency_slack
    lead: np.ndarray | None = None  # ``pairs.leads``, once made

    def __len__(self) -> int:
        return len(self.claims)

    def name(self, field: str, code: int) -> str:
        return self.codes[field].names[code]


_CHUNK = 50_000  # claims read into Python lists at once, then packed into arrays


def build_profiles(
    claims: Sequence[QuantityClaim] | pa.Table,
    stories: StoryMap,
    settings: Settings,
    order: np.ndarray | None = None,
) -> Profiles:
    """The profiles of ``claims`` (models, or columns as ``columns.claim_table`` takes them),
    read in the order ``order`` gives (by default, as given)."""
    codes = {
        f: Codes()
        for f in ("story", "doc", "kind", "measure", "currency", "outcome", "holder", "word")
    }
    codes.update(place=Codes(), entity=Codes(), facet=Codes())
    table = claim_table(claims)
    if order is None:
        order = np.arange(table.num_rows)
    kept: list[np.ndarray] = []
    facet_rows: list[tuple[int, dict[str, str]]] = []
    chunks = []
    entity_memo: dict[str, str | None] = {}
    first_days = {s.story_id: _ordinal(s.first) for s in stories.stories}
    # In chunks: a million claims' rows as Python lists would take a gigabyte.
    for first in range(0, len(order), _CHUNK):
        rows = order[first : first + _CHUNK]
        if len(rows) and bool((np.diff(rows) == 1).all()):
            # Claims mostly come in order already (as they are staged): consecutive rows are a
            # slice of the table, not a copy of every column (lists of words included).
            part = table.slice(int(rows[0]), len(rows))
        else:
            part = table.take(pa.array(rows, pa.int64()))
        base = sum(len(k) for k in kept)
        read = _read(part, stories, first_days, settings, codes, facet_rows, entity_memo, base)
        kept.append(order[first : first + _CHUNK][read.pop("kept")])  # type: ignore[index]
        chunks.append(read)
    given = None if isinstance(claims, pa.Table) else claims
    at = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    profiles = _arrays(ClaimRows(table, at, given), chunks, facet_rows, codes)
    profiles.currency_slack = settings.currency_slack
    return profiles


def _read(
    part: pa.Table,
    stories: StoryMap,
    first_days: Mapping[str, int],
    settings: Settings,
    codes: dict[str, Codes],
    facet_rows: list[tuple[int, dict[str, str]]],
    entity_memo: dict[str, str | None],
    base: int,
) -> dict[str, np.ndarray | Lists]:
    """The rows of ``part`` (claims' columns) that can be compared, as arrays, and their
    positions in ``part`` (``kept``); appends the facets of those that have any to
    ``facet_rows``, by their row among all kept (``base`` kept before these);
    ``first_days`` is each story's first day (-1: none).

    The rules that read a claim as a whole (:func:`_measure`, :func:`_claim_time`) are called
    once per distinct combination of the fields they read (:func:`_per_distinct`): a million
    claims have some thousands. The figure and the rest are read as columns."""
    part = _with_years(part, stories)
    doc = part["doc_id"].combine_chunks().dictionary_encode()
    doc_names = doc.dictionary.to_pylist()
    story = pa.array([stories.story_of.get(d) for d in doc_names], pa.string()).take(doc.indices)
    skip = pa.array(sorted(crosscheck_lexicon(settings.data_dir).skip_kinds), pa.string())
    measures, of_row = _per_distinct(
        part, lambda c: _measure(c, settings), ("kind", "measure", "unit")
    )
    measure = pa.array(measures, pa.string()).take(pa.array(of_row))
    comparable = (
        as_mask(part["mention_of"].is_null())
        & ~as_mask(pc.is_in(part["kind"], skip))
        & (as_mask(part["low"].is_valid()) | as_mask(part["high"].is_valid()))
        & as_mask(story.is_valid())
        & as_mask(measure.is_valid())
    )
    at = np.flatnonzero(comparable)
    taken = part.take(pa.array(at, pa.int64()))
    column = {name: taken[name].combine_chunks() for name in taken.column_names}
    story, measure = story.take(pa.array(at)), measure.take(pa.array(at))
    # Its document's date and where that came from are what a claim's time reads of it.
    doc_at = pa.array(doc.indices.to_numpy()[at])
    doc_day = pa.array([_ordinal(stories.date(d)) for d in doc_names], pa.int64()).take(doc_at)
    doc_basis = pa.array([stories.date_basis.get(d) for d in doc_names], pa.string()).take(doc_at)
    times, of_row = _per_distinct(
        taken,
        lambda c: _claim_time(c, stories),
        (
            "kind",
            "time_basis",
            "time_text",
            "as_of_start",
            "as_of_end",
            "scope_type",
            "change",
            "cues",
        ),
        (doc_day, doc_basis),
    )
    time = np.array(times, dtype=np.int64).reshape(len(times), len(_TIME_FIELDS))[of_row]
    read = {name: time[:, k] for k, name in enumerate(_TIME_FIELDS)}
    lo, hi, lo_inc, hi_inc, factor = claim_intervals(column, settings)
    rate = _euros_per(column, story, first_days, read["start"])
    converted = ~np.isnan(rate)
    factor = np.where(converted, factor * rate, factor)
    lo, hi = np.where(converted, lo * rate, lo), np.where(converted, hi * rate, hi)
    currency = pc.if_else(pa.array(converted), column["unit"], pa.scalar("", pa.string()))
    measure = pc.if_else(pa.array(converted), pa.scalar("money", pa.string()), measure)
    value = as_floats(column["value"]) * factor
    slack = as_floats(column["tolerance"], 0.0) * factor
    # A figure hedged both ways ("about 80", "nearly 80") allows 5% either way, and so does a
    # bound on a round number ("more than 4,200" aboard is the 4,234 rounded). A bound on a
    # number that is not round states it exactly: "at least 149 dead" on Saturday and "154"
    # on Monday are a count that moved, not one figure.
    hedged = as_mask(pc.not_equal(column["qualifier"], "")) & as_mask(column["value"].is_valid())
    stated = np.abs(as_floats(column["value"]))
    with np.errstate(invalid="ignore"):
        round_number = (stated >= 10) & (np.mod(stated, 10) == 0)
    hedged &= (np.isfinite(lo) & np.isfinite(hi) & (lo != 0)) | round_number
    with np.errstate(invalid="ignore"):
        five = 0.05 * np.abs(value)
        slack = np.where(hedged & (five > slack), five, slack)
    rows: dict[str, np.ndarray] = {f: read[f].astype(bool) for f in _FLAGS if f in read}
    rows["interval"] = np.column_stack([lo, hi, lo_inc, hi_inc, value, slack])
    rows["time"] = np.column_stack([read["start"], read["end"], read["basis"]])
    stance = column["stance"]
    rows["revised"] = as_mask(pc.equal(stance, "revised"))
    rows["denied"] = as_mask(pc.equal(stance, "denied"))
    # Codes are numbered in order of first appearance, column by column as before.
    coded = {
        "story": codes["story"].encode(story),
        "doc": codes["doc"].encode(column["doc_id"]),
        # A range of things counted ('between 400 and 500 workers') is a count given as an
        # interval: it meets the counts of the same things.
        "kind": codes["kind"].encode(
            pc.if_else(pc.equal(column["kind"], "range"), "count", column["kind"])
        ),
        "measure": codes["measure"].encode(measure),
        "currency": codes["currency"].encode(currency),
        "outcome": codes["outcome"].encode(column["counted"]),
    }
    # A holder and its last word share one numbering, in that order.
    holders = column["holder"].to_pylist()
    both = codes["holder"].encode([x for h in holders for x in (h, h.split()[-1] if h else None)])
    coded["holder"], coded["holder_last"] = both[0::2], both[1::2]
    with_facets = np.flatnonzero(_sizes(column["facets"]))
    for k, facets in zip(
        with_facets.tolist(), column["facets"].take(pa.array(with_facets)).to_pylist(), strict=True
    ):
        facet_rows.append((base + k, dict(f.split("=", 1) for f in facets if "=" in f)))
    place_items = codes["place"].encode(pc.list_flatten(column["places"]))
    words = column["context_words"]
    word_items = _word_codes(codes["word"], codes["story"], coded["story"], words)
    return {
        **_columns(
            rows,
            coded,
            Lists.flat(_sizes(column["places"]), place_items),
            _entity_lists(column["key_terms"], codes["entity"], entity_memo, settings),
            Lists.flat(_sizes(words), word_items),
        ),
        "kept": at,
    }


def _measure(c: ReadRow, settings: Settings) -> str | None:
    """What a claim's figure is a quantity of (None: nothing comparable); reads ``kind``,
    ``measure`` and ``unit``."""
    lex = counted_lexicon(settings.data_dir)
    # A date's value is a day, whatever its precision ("Sept. 20", "September 2017").
    measure = "date" if c.kind == "date" else c.measure or measure_for(c.unit, settings.data_dir)
    if measure is None:
        return None
    unit = (c.unit or "").lower()
    # "17,410,742 Britons voted to leave": a nation's people are people.
    demonyms = crosscheck_lexicon(settings.data_dir).demonyms
    if (
        unit in lex.unit_outcomes
        or measure in lex.outcome_measures
        or measure in lex.person_units
        or measure.lower() in demonyms
    ):
        measure = "person"
    return measure


_TIME_FIELDS = (
    "start",
    "end",
    "basis",
    "part",
    "provisional",
    "change",
    "background",
    "estimate",
    "projection",
    "fixed",
    "slow",
    "periodic",
    "rising",
)


def _claim_time(c: ReadRow, stories: StoryMap) -> tuple[int | bool, ...]:
    """A claim's time and what its cues say of it, as :data:`_TIME_FIELDS`; reads ``kind``,
    ``time_basis``, ``as_of_start``, ``as_of_end``, ``scope_type``, ``change``, ``cues`` and
    its document's date and the date's basis."""
    is_date = c.kind == "date"
    cues = set(c.cues)
    estimate = "estimate" in cues
    fixed, slow = "fixed" in cues, "slow" in cues
    # A date claim's own days are its value; it was said when its document was.
    start, end, basis = _time(
        c, stories, as_reported=is_date or estimate or not (fixed or slow), own=not is_date
    )
    year = next((int(x[5:]) for x in cues if x.startswith("year=")), None)
    if is_date:
        year = None
    background = (
        year is not None and start >= 0 and year < date.fromordinal(start).year - _PAST_YEARS
    )
    if background:
        assert year is not None
        start, end, basis = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal(), 0
    # "In 1999, a collision in West Bengal killed 288 people", in a report of 2023: its clause
    # dates it, and to a past year.
    day = stories.date(c.doc_id)
    if basis == 0 and day is not None and end >= 0:
        background |= end < date(day.year - _PAST_YEARS, 1, 1).toordinal()
    # A count over a stated span of days ("24 killed over the previous day") is a change,
    # as "another 700" is: no relation to a level ("a toll of 1,033").
    flow = (
        c.kind == "count"
        and c.scope_type == "period"
        and basis == 0
        and 0 < end - start <= _FLOW_DAYS
    )
    return (
        start,
        end,
        basis,
        "part" in cues or "breakdown" in cues,
        "provisional" in cues,
        "change" in cues or c.change == "change" or flow,
        background,
        estimate,
        "projection" in cues,
        fixed,
        slow,
        "periodic" in cues,
        c.change == "new_level" and not (fixed or slow),
    )


def _euros_per(
    column: dict[str, pa.Array], story: pa.Array, first_days: Mapping[str, int], start: np.ndarray
) -> np.ndarray:
    """Per claim, euros for one unit of the currency of a sum (nan: no sum, or a currency
    the bank does not quote). One day's rates for a whole story: "$44 billion" in April and
    in October is one sum, whatever the euro did between."""
    codes = story.dictionary_encode()
    story_day = np.array(
        [first_days.get(s, -1) for s in codes.dictionary.to_pylist()] + [-1], np.int64
    )[codes.indices.fill_null(len(codes.dictionary)).to_numpy()]
    day = np.where(story_day >= 0, story_day, start)
    unit = column["unit"]
    money = as_mask(pc.equal(column["kind"], "money")) & as_mask(pc.not_equal(unit, ""))
    rows = np.flatnonzero(money & (day >= 0))
    rate = np.full(len(day), np.nan)
    keys = list(zip(unit.take(pa.array(rows)).to_pylist(), day[rows].tolist(), strict=True))
    rates = {key: euros_per(key[0], date.fromordinal(key[1])) for key in set(keys)}
    rate[rows] = [np.nan if rates[k] is None else rates[k] for k in keys]
    return rate


def _ordinal(day: date | None) -> int:
    return -1 if day is None else day.toordinal()


def _with_years(part: pa.Table, stories: StoryMap) -> pa.Table:
    """``part`` with its dates that have no day yet read by :func:`_with_year`."""
    need = (
        as_mask(pc.equal(part["kind"], "date"))
        & as_mask(part["low"].is_null())
        & as_mask(part["high"].is_null())
    )
    if not need.any():
        return part
    read = [
        _with_year(c, stories.date(c.doc_id))
        for c in read_rows(part.take(pa.array(np.flatnonzero(need))))
    ]
    for name in ("value", "low", "high", "as_of_start", "as_of_end"):
        k = part.schema.get_field_index(name)
        values = pa.array([getattr(c, name) for c in read], part.schema.field(k).type)
        replaced = pc.replace_with_mask(part[name].combine_chunks(), pa.array(need), values)
        part = part.set_column(k, name, replaced)
    return part


_Read = TypeVar("_Read")


def _per_distinct(
    table: pa.Table,
    rule: Callable[[ReadRow], _Read],
    fields: Sequence[str],
    extra: Sequence[pa.Array] = (),
) -> tuple[list[_Read], np.ndarray]:
    """``rule`` of every row of ``table``, called once per distinct combination of the
    ``fields`` (and ``extra`` columns) with the first row that has it: every field the rule
    reads must be among them. The results, and each row's result among them."""
    n = table.num_rows
    key = np.zeros(n, dtype=np.int64)
    width = 1
    for values in [*(table[f].combine_chunks() for f in fields), *extra]:
        if pa.types.is_list(values.type):
            values = pc.binary_join(values, "\x1f")
        encoded = values.dictionary_encode()
        size = len(encoded.dictionary) + 1  # and null
        if width * size >= 2**62:
            width, key = _dense(key)
        key = key * size + encoded.indices.fill_null(size - 1).to_numpy()
        width *= size
    order = np.argsort(key, kind="stable")
    new = np.ones(n, dtype=bool)
    ordered = key[order]
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    of_row = np.empty(n, dtype=np.int64)
    of_row[order] = np.cumsum(new) - 1
    first = order[new]
    return [rule(c) for c in read_rows(table.take(pa.array(first, pa.int64())))], of_row


def _dense(key: np.ndarray) -> tuple[int, np.ndarray]:
    distinct, dense = np.unique(key, return_inverse=True)
    return len(distinct), dense.reshape(-1).astype(np.int64)


def _sizes(lists: pa.ListArray) -> np.ndarray:
    sizes: np.ndarray = pc.list_value_length(lists).fill_null(0).to_numpy().astype(np.int64)
    return sizes


def _entity_lists(
    key_terms: pa.ListArray, code: Codes, memo: dict[str, str | None], settings: Settings
) -> Lists:
    """Each claim's entities (the anchors of its key terms that name one), numbered in order
    of first appearance; each distinct key term is parsed once (``memo``)."""
    encoded = pc.list_flatten(key_terms).dictionary_encode()
    anchors = []
    for raw in encoded.dictionary.to_pylist():
        if raw not in memo:
            found = _entities((raw,), settings)
            memo[raw] = found[0] if found else None
        anchors.append(memo[raw])
    anchor = pa.array(anchors, pa.string()).take(encoded.indices)
    owner = pc.list_parent_indices(key_terms).to_numpy()
    named = pc.is_valid(anchor).to_numpy(zero_copy_only=False)
    sizes = np.bincount(owner[named], minlength=len(key_terms))
    return Lists.flat(sizes, code.encode(anchor.filter(pa.array(named))))


def _word_codes(codes: Codes, stories: Codes, story: np.ndarray, words: pa.ListArray) -> np.ndarray:
    """The codes of each claim's words made story-specific ("<story>\\x1f<word>"), numbered in
    order of first appearance; only distinct (story, word) pairs are written as strings."""
    sizes = _sizes(words)
    flat = pc.list_flatten(words)
    if not len(flat):
        return np.zeros(0, dtype=np.int64)
    encoded = flat.dictionary_encode()
    word = encoded.indices.to_numpy().astype(np.int64)
    names = encoded.dictionary
    key = np.repeat(story, sizes) * len(names) + word
    distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    appearance = np.argsort(first)
    ordered = distinct[appearance]
    written = pc.binary_join_element_wise(
        pa.array(stories.names, pa.string()).take(pa.array(ordered // len(names))),
        encoded.dictionary.take(pa.array(ordered % len(names))),
        "\x1f",
    )
    code = np.zeros(len(distinct), dtype=np.int64)
    code[appearance] = codes.encode(written)  # numbered in order of first appearance
    out: np.ndarray = code[inverse.reshape(-1)]
    return out


def _entities(raw_terms: tuple[str, ...], settings: Settings) -> list[str]:
    out = []
    for raw in raw_terms:
        term = parse_key_term(raw, settings.data_dir)
        if term is not None and term.label in _ENTITY_LABELS:
            out.append(term.anchor)
    return out


def _columns(
    rows: Mapping[str, Sequence[Any] | np.ndarray],
    coded: dict[str, np.ndarray],
    places: Lists,
    entities: Lists,
    words: Lists,
) -> dict[str, np.ndarray | Lists]:
    n = len(places.ptr) - 1
    out: dict[str, np.ndarray | Lists] = dict(coded)
    for name in _FLAGS:
        out[name] = np.array(rows[name], dtype=bool).reshape(n)
    out["interval"] = np.array(rows["interval"], dtype=np.float64).reshape(n, 6)
    out["time"] = np.array(rows["time"], dtype=np.int64).reshape(n, 3)
    out["places"], out["entities"], out["words"] = places, entities, words
    return out


_FLAGS = (
    "part",
    "change",
    "estimate",
    "projection",
    "background",
    "fixed",
    "slow",
    "provisional",
    "periodic",
    "rising",
    "revised",
    "denied",
)


def _arrays(
    kept: ClaimRows,
    chunks: list[dict[str, np.ndarray | Lists]],
    facet_rows: list[tuple[int, dict[str, str]]],
    codes: dict[str, Codes],
) -> Profiles:
    # Each field's pieces are let go as it is joined: all of them at once would hold every
    # array twice.
    def joined(name: str) -> np.ndarray:
        return np.concatenate([c.pop(name) for c in chunks])  # type: ignore[misc]

    def lists(name: str) -> Lists:
        return Lists.concat([c.pop(name) for c in chunks])  # type: ignore[misc]

    if not chunks:
        empty = Lists.flat([], np.zeros(0, dtype=np.int64))
        none = np.zeros(0, dtype=np.int64)
        names = ("story", "doc", "kind", "measure", "currency", "outcome", "holder")
        coded = {name: none for name in (*names, "holder_last")}
        chunks = [_columns(defaultdict(list), coded, empty, empty, empty)]
    interval = joined("interval")
    times = joined("time")
    facet_names = sorted({f for _, r in facet_rows for f in r})
    facets = {}
    for f in facet_names:  # claims without facets have none of any: code 0
        facets[f] = np.zeros(len(kept), dtype=np.int64)
        for i, r in facet_rows:
            facets[f][i] = codes["facet"](r.get(f))
    return Profiles(
        claims=kept,
        story=joined("story"),
        doc=joined("doc"),
        kind=joined("kind"),
        measure=joined("measure"),
        currency=joined("currency"),
        outcome=joined("outcome"),
        holder=joined("holder"),
        holder_last=joined("holder_last"),
        facets=facets,
        part=joined("part"),
        change=joined("change"),
        estimate=joined("estimate"),
        projection=joined("projection"),
        background=joined("background"),
        fixed=joined("fixed"),
        slow=joined("slow"),
        provisional=joined("provisional"),
        periodic=joined("periodic"),
        rising=joined("rising"),
        revised=joined("revised"),
        denied=joined("denied"),
        lo=interval[:, 0],
        hi=interval[:, 1],
        lo_inc=interval[:, 2].astype(bool),
        hi_inc=interval[:, 3].astype(bool),
        value=interval[:, 4],
        slack=interval[:, 5],
        start=times[:, 0],
        end=times[:, 1],
        basis=times[:, 2],
        places=lists("places"),
        entities=lists("entities"),
        words=lists("words"),
        codes=codes,
    )


def _with_year(c: ReadRow, day: date | None) -> ReadRow:
    """A date its undated document could not give a year ("Sept. 20") in the year of the day
    its story dates the document to; a past event's day before that day ("Maria struck on
    Sept. 20" in a report of December is 20 September of that year, in one of January the
    year before)."""
    found = _month_day(c.span) if day is not None else None
    if found is None:
        return c
    assert day is not None
    month, first_day, last_day = found
    try:
        first = date(day.year, month, first_day)
        last = date(day.year, month, last_day)
    except ValueError:  # "February 30"
        return c
    if first > day and c.stance != "projected":
        first, last = _year_before(first), _year_before(last)
    low, high = float((first - DAY_ZERO).days), float((last - DAY_ZERO).days)
    return c._replace(value=low, low=low, high=high, as_of_start=first, as_of_end=last)


def _month_day(text: str) -> tuple[int, int, int] | None:
    """(month, first day, last day) of "Sept. 20", "20 September", "June 23rd" or "June"."""
    words = re.findall(r"[A-Za-z]+|\d+", text.lower())
    months = [MONTHS[w] for w in words if w in MONTHS]
    days = [int(w) for w in words if w.isdigit() and 1 <= int(w) <= 31 and len(w) <= 2]
    if len(months) != 1 or len(days) > 1 or any(w.isdigit() and len(w) == 4 for w in words):
        return None
    month = months[0]
    if days:
        return month, days[0], days[0]
    return month, 1, calendar.monthrange(2001, month)[1]  # a month, in a year with no 29 Feb


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _time(
    c: QuantityClaim | ReadRow, stories: StoryMap, as_reported: bool, own: bool = True
) -> tuple[int, int, int]:
    """(start, end, basis) of the days a figure describes. A running total ("so far this
    year", "since June") is read at its last day. ``as_reported``: a forecast, or a figure that
    moves by the day, is of the day it was reported, whatever past day its clause names.
    ``own`` False: the claim's time words are its value (a date), so only its document dates it."""
    day = stories.date(c.doc_id)
    if own and c.time_basis == "explicit" and (c.as_of_start or c.as_of_end):
        start = c.as_of_start or c.as_of_end
        end = c.as_of_end or c.as_of_start
        assert start is not None and end is not None
        if c.scope_type == "cumulative":
            start = end
        # "On Monday police said 58 had died", told on Wednesday: the toll as reported. A
        # month or a longer span ("10.1% in July") is the quantity's own period.
        reported_later = day is not None and end < day and (day - end).days <= 31 and start == end
        ahead = day is not None and start > day
        estimate = "estimate" in c.cues
        if not (as_reported and (reported_later or ahead or estimate)):
            lo, hi = sorted((start.toordinal(), end.toordinal()))
            return lo, hi, 0
    if day is None:
        return -1, -1, TIME_BASES.index("none")
    basis = TIME_BASES.index(stories.date_basis.get(c.doc_id, "published"))
    # "US Added 261K Jobs In October" in an undated report: the month its story's year gives,
    # a period of its own (whose date is still only guessed).
    found = _month_day(c.time_text) if own and c.time_basis == "unknown" and c.time_text else None
    if found is not None and found[1] != found[2]:
        month, first_day, last_day = found
        first, last = date(day.year, month, first_day), date(day.year, month, last_day)
        if first > day:
            first, last = _year_before(first), _year_before(last)
        return first.toordinal(), last.toordinal(), basis
    return day.toordinal(), day.toordinal(), basis


def guessed_either(p: Profiles, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, whether either side's date was only guessed (from its story, or none)."""
    guessed = list(GUESSED)
    either: np.ndarray = np.isin(p.basis[a], guessed) | np.isin(p.basis[b], guessed)
    return either


def guessed_days(p: Profiles, rows: np.ndarray) -> np.ndarray:
    """Per row, whether its time is only its document's guessed day (no period of its own)."""
    out: np.ndarray = np.isin(p.basis[rows], list(GUESSED)) & (p.end[rows] <= p.start[rows])
    return out


def levels(p: Profiles) -> np.ndarray:
    """The log of each figure's middle (nan when it has none): what figures are compared by
    when their size alone matters (dating, crowding, how far apart two values are)."""
    lo, hi = p.lo, p.hi
    middle = np.where(np.isinf(hi), lo, np.where(np.isinf(lo) | (lo <= 0), hi, (lo + hi) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(np.where((middle > 0) & np.isfinite(middle), middle, np.nan))
    # A date's size is no amount: two dates are as far apart as their months.
    is_date = p.kind == p.codes["kind"].index.get("date", -1)
    if is_date.any():
        days = np.where(np.isinf(hi), lo, np.where(np.isinf(lo), hi, (lo + hi) / 2))[is_date]
        out[is_date] = np.where(np.isfinite(days), days / 30.0, np.nan)
    return out


def date_by_figures(p: Profiles, stories: StoryMap) -> None:
    """Date the undated documents whose date was only guessed from text similarity by the day
    whose reports give the nearest moving figures (tolls, the missing): a report of 4 dead and
    284 missing belongs with the day of "two dead" and "more than 300 missing", not with the
    day of 87 dead. Each figure weighs as much as the choice of day changes its distance (a
    quantity that is the same every day says nothing about the day). Only a clear choice is
    taken; it then counts as a known date (``figures``), so its figures may conflict with that
    day's. Updates ``p`` and ``stories`` in place."""
    level = levels(p)
    moving = ~(p.fixed | p.slow | p.change | p.part | p.estimate | p.provisional)
    usable = moving & ~np.isnan(level) & (p.start == p.end) & (p.start >= 0)
    story_basis = TIME_BASES.index("story")
    guessed = np.flatnonzero(usable & (p.basis == story_basis))
    if not len(guessed):
        return
    known_rows = np.flatnonzero(usable & np.isin(p.basis, _KNOWN))
    known: dict[tuple[int, int, int, int], dict[int, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for i in known_rows.tolist():
        key = (int(p.story[i]), int(p.kind[i]), int(p.measure[i]), int(p.outcome[i]))
        known[key][int(p.start[i])].append(float(level[i]))
    by_doc: dict[int, list[int]] = defaultdict(list)
    for i in guessed.tolist():
        by_doc[int(p.doc[i])].append(i)
    for doc, members in by_doc.items():
        per_day: dict[int, float] = defaultdict(float)
        total = 0.0
        for i in members:
            key = (int(p.story[i]), int(p.kind[i]), int(p.measure[i]), int(p.outcome[i]))
            days = known.get(key, {})
            if len(days) < 2:
                continue
            distance = {d: min(abs(level[i] - x) for x in v) for d, v in days.items()}
            weight = max(distance.values()) - min(distance.values())
            total += weight
            for d, x in distance.items():
                per_day[d] += weight * x
        if total <= 0:
            continue
        ranked = sorted((v / total, d) for d, v in per_day.items())
        if ranked[0][0] > _DATING_MAX:
            continue
        if len(ranked) > 1 and ranked[1][0] - ranked[0][0] < _DATING_MARGIN:
            continue
        day = ranked[0][1]
        rows = (p.doc == doc) & (p.basis == story_basis)
        p.start[rows] = day
        p.end[rows] = day
        p.basis[rows] = TIME_BASES.index("figures")
        doc_id = p.name("doc", doc)
        stories.dates[doc_id] = date.fromordinal(day)
        stories.date_basis[doc_id] = "figures"


__all__ = [
    "GUESSED",
    "INF",
    "TIME_BASES",
    "Lists",
    "Profiles",
    "build_profiles",
    "guessed_either",
    "levels",
    "unique_values",
]
