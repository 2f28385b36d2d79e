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

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from claims.crosscheck.intervals import INF, claim_interval
from claims.crosscheck.money import euros_per
from claims.crosscheck.reading import counted_lexicon
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

    def encode(self, values: Sequence[str | None]) -> np.ndarray:
        """The code of each of ``values``, numbered as calling this on each in turn would:
        Arrow numbers distinct values in order of first appearance, so only those are coded
        in Python."""
        if not len(values):
            return np.zeros(0, dtype=np.int64)
        encoded = pa.array(values, pa.string()).dictionary_encode()
        mapped = np.array([self(v) for v in encoded.dictionary.to_pylist()] + [0], np.int64)
        at = encoded.indices.fill_null(len(mapped) - 1).to_numpy()
        out: np.ndarray = mapped[at]
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
    def flat(cls, sizes: Sequence[int], items: np.ndarray) -> Lists:
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
    each, as parallel arrays; ``claims[i]`` is row i's claim."""

    claims: list[QuantityClaim]
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
    claims: Sequence[QuantityClaim], stories: StoryMap, settings: Settings
) -> Profiles:
    codes = {
        f: Codes()
        for f in ("story", "doc", "kind", "measure", "currency", "outcome", "holder", "word")
    }
    codes.update(place=Codes(), entity=Codes(), facet=Codes())
    kept: list[QuantityClaim] = []
    facet_rows: list[dict[str, str]] = []
    chunks = []
    entity_memo: dict[tuple[str, ...], list[int]] = {}
    # In chunks: a million claims' rows as Python lists would take a gigabyte.
    for first in range(0, len(claims), _CHUNK):
        part = claims[first : first + _CHUNK]
        chunks.append(_read(part, stories, settings, codes, kept, facet_rows, entity_memo))
    profiles = _arrays(kept, chunks, facet_rows, codes)
    profiles.currency_slack = settings.currency_slack
    return profiles


def _read(
    claims: Sequence[QuantityClaim],
    stories: StoryMap,
    settings: Settings,
    codes: dict[str, Codes],
    kept: list[QuantityClaim],
    facet_rows: list[dict[str, str]],
    entity_memo: dict[tuple[str, ...], list[int]],
) -> dict[str, np.ndarray | Lists]:
    """The rows of ``claims`` that can be compared, as arrays; appends to ``kept`` and
    ``facet_rows``."""
    lex = counted_lexicon(settings.data_dir)
    cross = crosscheck_lexicon(settings.data_dir)
    skip = cross.skip_kinds
    # "17,410,742 Britons voted to leave": a nation's people are people.
    demonyms = cross.demonyms
    rows: dict[str, list] = defaultdict(list)
    text: dict[str, list[str | None]] = {
        f: [] for f in ("story", "doc", "kind", "measure", "currency", "outcome", "holder")
    }
    place_lists: list[list[str]] = []
    words: list[list[str]] = []
    entities: list[int] = []
    entity_sizes: list[int] = []
    entity_code = codes["entity"]
    # One day's rates for a whole story: "$44 billion" in April and in October is one sum,
    # whatever the euro did between.
    rate_day = {s.story_id: s.first.toordinal() for s in stories.stories if s.first is not None}
    for c in claims:
        if c.kind == "date" and c.low is None and c.high is None:
            c = _with_year(c, stories.date(c.doc_id), settings)
        if c.mention_of is not None or c.kind in skip or (c.low is None and c.high is None):
            continue
        story = stories.story_of.get(c.doc_id)
        is_date = c.kind == "date"
        # A date's value is a day, whatever its precision ("Sept. 20", "September 2017").
        measure = "date" if is_date else c.measure or measure_for(c.unit, settings.data_dir)
        if story is None or measure is None:
            continue
        unit = (c.unit or "").lower()
        if (
            unit in lex.unit_outcomes
            or measure in lex.outcome_measures
            or measure in lex.person_units
            or measure.lower() in demonyms
        ):
            measure = "person"
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
        # A count over a stated span of days ("24 killed over the previous day") is a change,
        # as "another 700" is: no relation to a level ("a toll of 1,033").
        flow = (
            c.kind == "count"
            and c.scope_type == "period"
            and basis == 0
            and 0 < end - start <= _FLOW_DAYS
        )
        lo, hi, lo_inc, hi_inc = claim_interval(c, settings)
        factor = c.measure_factor or 1.0
        currency = ""
        day = rate_day.get(story, start)
        if c.kind == "money" and c.unit and day >= 0:
            rate = euros_per(c.unit, date.fromordinal(day))
            if rate is not None:
                factor, currency, measure = factor * rate, c.unit, "money"
                lo, hi = lo * rate, hi * rate
        value = math.nan if c.value is None else c.value * factor
        slack = (c.tolerance or 0.0) * factor
        if c.qualifier and c.value is not None:
            slack = max(slack, 0.05 * abs(value))
        kept.append(c)
        text["story"].append(story)
        text["doc"].append(c.doc_id)
        text["kind"].append(c.kind)
        text["measure"].append(measure)
        text["currency"].append(currency)
        text["outcome"].append(c.counted)
        # A holder and its last word share one numbering, in that order.
        text["holder"] += (c.holder, c.holder.split()[-1] if c.holder else None)
        rows["part"].append("part" in cues or "breakdown" in cues)
        rows["provisional"].append("provisional" in cues)
        rows["change"].append("change" in cues or c.change == "change" or flow)
        rows["background"].append(background)
        rows["estimate"].append(estimate)
        rows["projection"].append("projection" in cues)
        rows["revised"].append(c.stance == "revised")
        rows["denied"].append(c.stance == "denied")
        rows["fixed"].append(fixed)
        rows["slow"].append(slow)
        rows["interval"].append((lo, hi, lo_inc, hi_inc, value, slack))
        rows["time"].append((start, end, basis))
        facet_rows.append(dict(f.split("=", 1) for f in c.facets if "=" in f) if c.facets else {})
        place_lists.append(c.places)
        raw_terms = tuple(c.key_terms)
        found = entity_memo.get(raw_terms)
        if found is None:
            # Coded when first seen: the numbering is the one coding every claim would give.
            anchors = _entities(raw_terms, settings)
            found = entity_memo[raw_terms] = [entity_code(a) for a in anchors]
        entities += found
        entity_sizes.append(len(found))
        words.append(c.context_words)
    coded = {f: codes[f].encode(v) for f, v in text.items()}
    holders = coded.pop("holder")
    coded["holder"], coded["holder_last"] = holders[0::2], holders[1::2]
    place_items = codes["place"].encode([x for r in place_lists for x in r])
    word_items = _word_codes(codes["word"], codes["story"], coded["story"], words)
    return _columns(
        rows,
        coded,
        Lists.flat([len(r) for r in place_lists], place_items),
        Lists.flat(entity_sizes, np.array(entities, dtype=np.int64)),
        Lists.flat([len(r) for r in words], word_items),
    )


def _word_codes(
    codes: Codes, stories: Codes, story: np.ndarray, words: list[list[str]]
) -> np.ndarray:
    """The codes of each claim's words made story-specific ("<story>\\x1f<word>"), numbered in
    order of first appearance; only distinct (story, word) pairs are written as strings."""
    sizes = np.array([len(r) for r in words], dtype=np.int64)
    flat = [w for r in words for w in r]
    if not flat:
        return np.zeros(0, dtype=np.int64)
    encoded = pa.array(flat, pa.string()).dictionary_encode()
    word = encoded.indices.to_numpy().astype(np.int64)
    names = encoded.dictionary.to_pylist()
    key = np.repeat(story, sizes) * len(names) + word
    distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    appearance = np.argsort(first)
    code = np.zeros(len(distinct), dtype=np.int64)
    for k in appearance.tolist():
        s, w = divmod(int(distinct[k]), len(names))
        code[k] = codes(f"{stories.names[s]}\x1f{names[w]}")
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
    rows: dict[str, list],
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
    "revised",
    "denied",
)


def _arrays(
    kept: list[QuantityClaim],
    chunks: list[dict[str, np.ndarray | Lists]],
    facet_rows: list[dict[str, str]],
    codes: dict[str, Codes],
) -> Profiles:
    def joined(name: str) -> np.ndarray:
        return np.concatenate([c[name] for c in chunks])  # type: ignore[misc]

    def lists(name: str) -> Lists:
        return Lists.concat([c[name] for c in chunks])  # type: ignore[misc]

    if not chunks:
        empty = Lists.flat([], np.zeros(0, dtype=np.int64))
        none = np.zeros(0, dtype=np.int64)
        names = ("story", "doc", "kind", "measure", "currency", "outcome", "holder")
        coded = {name: none for name in (*names, "holder_last")}
        chunks = [_columns(defaultdict(list), coded, empty, empty, empty)]
    interval = joined("interval")
    times = joined("time")
    facet_names = sorted({f for r in facet_rows for f in r})
    facets = {
        f: np.array([codes["facet"](r.get(f)) for r in facet_rows], dtype=np.int64)
        for f in facet_names
    }
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


def _with_year(c: QuantityClaim, day: date | None, settings: Settings) -> QuantityClaim:
    """A date its undated document could not give a year ("Sept. 20") in the year of the day
    its story dates the document to; a past event's day before that day ("Maria struck on
    Sept. 20" in a report of December is 20 September of that year, in one of January the
    year before)."""
    if day is None:
        return c
    # Lazily: the time words' reader comes with spaCy's token types, which only this needs.
    from claims.extract.timescope import find_time_expressions

    found = [e for e in find_time_expressions(c.span, day, settings.data_dir) if e.as_of_start]
    if not found:
        return c
    first = found[0].as_of_start
    last = found[0].as_of_end or first
    assert first is not None and last is not None
    if first > day and c.stance != "projected":
        first, last = _year_before(first), _year_before(last)
    low, high = float((first - DAY_ZERO).days), float((last - DAY_ZERO).days)
    return c.model_copy(
        update={"value": low, "low": low, "high": high, "as_of_start": first, "as_of_end": last}
    )


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _time(
    c: QuantityClaim, stories: StoryMap, as_reported: bool, own: bool = True
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
    basis = stories.date_basis.get(c.doc_id, "published")
    return day.toordinal(), day.toordinal(), TIME_BASES.index(basis)


def guessed_either(p: Profiles, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, whether either side's date was only guessed (from its story, or none)."""
    guessed = list(GUESSED)
    either: np.ndarray = np.isin(p.basis[a], guessed) | np.isin(p.basis[b], guessed)
    return either


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
]
