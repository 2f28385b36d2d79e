"""Geometry of the report's "contested figures over time" charts, one per contested quantity.

A contested quantity is a set of quantity claims joined by conflict or update relations. Each
claim becomes one mark: a dot at its stated value (when it has one), a vertical whisker over the
interval its wording asserts, and a faint horizontal line over its time scope; marks are coloured
by source. This module only computes coordinates and labels; ``templates/report.html.j2`` draws
them as inline SVG, so every label from an article goes through the template's autoescaping.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from claims.formats import format_interval

Row = dict[str, Any]

CONTESTED = ("conflict", "update")
# Drawing area of the SVG viewBox; the page scales the SVG to its width.
WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 52, 18, 14, 30
# Marks closer than this many pixels are spread sideways so that none hides another.
MIN_GAP = 9
# Colour classes in report.css (src-0 ... src-7); more sources than this reuse them.
PALETTE_SIZE = 8
# A single date gets this much room on each side, so its marks are not drawn on the frame.
LONE_DATE_PAD = timedelta(days=15)
TICKS = 5
# How far past the data an unbounded interval's arrow reaches, as a share of the data's range.
OPEN_ROOM = 0.3
# Room on each side of the time axis, as a share of its range, so no mark sits on the frame.
TIME_PAD = 0.06
# The value axis starts at zero when the smallest figure is at most this share of the largest:
# then zero is near enough that showing it distorts nothing.
ZERO_BASELINE = 0.35
# A scope longer than this (a running total "since 2014") is drawn at its end, the moment the
# figure describes; a shorter one ("in April") at its middle.
POINT_SCOPE_DAYS = 366
# Day steps for date ticks on ranges shorter than two months.
DAY_STEPS = (1, 2, 7, 14)


@dataclass(frozen=True)
class Mark:
    """One claim: dot (``y`` is None for a vague amount), whisker, time-scope line."""

    claim_id: str
    x: float
    y: float | None
    y_low: float
    y_high: float
    open_low: bool
    open_high: bool
    x_start: float
    x_end: float
    colour: int
    label: str

    @property
    def mid(self) -> float:
        """Where lines meet the mark: its dot, or the middle of its whisker for a vague amount."""
        return self.y if self.y is not None else round((self.y_low + self.y_high) / 2, 1)


@dataclass(frozen=True)
class Link:
    """A relation between two marks, drawn between their dots."""

    relation: str
    relation_id: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    """Everything the template needs to draw one contested quantity."""

    title: str
    unit: str
    counts: dict[str, int]
    marks: list[Mark] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[int, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot: tuple[int, int, int, int] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)


def contested_charts(sides: list[Row]) -> list[Chart]:
    """One chart per group of quantity claims joined by conflict or update relations.

    ``sides`` are rows of the ``report.relation_sides`` view. Groups with a conflict come first,
    then larger groups.
    """
    rows = [r for r in sides if r["claim_type"] == "quantity" and r["relation"] in CONTESTED]
    claims: dict[str, Row] = {}
    pairs: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        claims.setdefault(r["claim_id"], r)
        pairs[r["relation_id"]].append(r)
    parent = {c: c for c in claims}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for pair in pairs.values():
        if len(pair) == 2:
            parent[root(pair[0]["claim_id"])] = root(pair[1]["claim_id"])
    groups: dict[str, list[str]] = defaultdict(list)
    for c in claims:
        groups[root(c)].append(c)
    relations: dict[str, list[list[Row]]] = defaultdict(list)
    for pair in pairs.values():
        relations[root(pair[0]["claim_id"])].append(pair)
    charts = [
        build_chart([claims[c] for c in members], relations[group])
        for group, members in groups.items()
    ]
    charts.sort(key=lambda ch: (-ch.counts.get("conflict", 0), -len(ch.marks), ch.title))
    return charts


def build_chart(claims: list[Row], relations: list[list[Row]]) -> Chart:
    """Lay out one quantity's claims on a time × value plane."""
    claims = sorted(claims, key=lambda c: (_when(c)[1], c.get("outlet") or "", c["claim_id"]))
    first = claims[0]
    counts: dict[str, int] = defaultdict(int)
    for pair in relations:
        counts[pair[0]["relation"]] += 1
    chart = Chart(
        title=first.get("subject") or first.get("unit") or "quantity",
        unit=first.get("unit") or "",
        counts=dict(counts),
    )
    x0, y0, x1, y1 = chart.plot
    days = [d for c in claims for d in _drawn_days(c)]
    lo_day, hi_day = min(days), max(days)
    if lo_day == hi_day:
        pad = LONE_DATE_PAD.days
        lo_day, hi_day = lo_day - pad, hi_day + pad
    else:
        pad = max(1, round((hi_day - lo_day) * TIME_PAD))
        lo_day, hi_day = lo_day - pad, hi_day + pad
    finite = [v for c in claims for v in (c["low"], c["high"], c["value"]) if v is not None]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    # An unbounded interval needs room past the last figure, or its arrow has no length.
    room = OPEN_ROOM * ((high - low) or abs(high) or 1.0)
    if any(c["high"] is None for c in claims):
        high += room
    if any(c["low"] is None for c in claims):
        low -= room
    ticks = nice_ticks(low, high)
    lo_val, hi_val = ticks[0], ticks[-1]

    def sx(day: float) -> float:
        return x0 + (day - lo_day) / (hi_day - lo_day) * (x1 - x0)

    def sy(value: float) -> float:
        return y1 - (value - lo_val) / (hi_val - lo_val) * (y1 - y0)

    sources: dict[str, int] = {}
    for c in claims:
        sources.setdefault(_source(c), len(sources) % PALETTE_SIZE)
    chart.legend = [(colour, name) for name, colour in sources.items()]
    placed: dict[str, Mark] = {}
    taken: list[tuple[float, float]] = []
    for c in claims:
        start, end = (d.toordinal() for d in _when(c))
        x = _spread(sx(_point_day(c)), sy(_centre(c)), taken)
        mark = Mark(
            claim_id=c["claim_id"],
            x=round(x, 1),
            y=None if c["value"] is None else round(sy(c["value"]), 1),
            y_low=round(y1 if c["low"] is None else sy(c["low"]), 1),
            y_high=round(y0 if c["high"] is None else sy(c["high"]), 1),
            open_low=c["low"] is None,
            open_high=c["high"] is None,
            x_start=round(max(x0, sx(start)), 1),
            x_end=round(min(x1, sx(end)), 1),
            colour=sources[_source(c)],
            label=_label(c),
        )
        placed[c["claim_id"]] = mark
    chart.marks = list(placed.values())
    for pair in relations:
        if len(pair) != 2:
            continue
        a, b = (placed[r["claim_id"]] for r in sorted(pair, key=lambda r: r["side_no"]))
        chart.links.append(
            Link(pair[0]["relation"], pair[0]["relation_id"], a.x, a.mid, b.x, b.mid)
        )
    chart.y_ticks = [Tick(round(sy(v), 1), compact_number(v)) for v in ticks]
    chart.x_ticks = [Tick(round(sx(d), 1), label) for d, label in date_ticks(lo_day, hi_day)]
    return chart


def nice_ticks(low: float, high: float, count: int = TICKS) -> list[float]:
    """Round tick values covering [low, high]; zero is included when it is close to the data."""
    if low >= 0 and low <= ZERO_BASELINE * high:
        low = 0.0
    if math.isclose(low, high):
        low, high = (low * 0.9, high * 1.1) if high else (-1.0, 1.0)
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9 * step:
        ticks.append(ticks[-1] + step)
    return [round(t, 10) for t in ticks]


def compact_number(value: float) -> str:
    """45, 2.5k, 100k, 2.3M, 2.5bn: short enough for an axis."""
    for scale, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def date_ticks(lo_day: int, hi_day: int) -> list[tuple[int, str]]:
    """Year, month or day ticks, whichever gives two to seven of them over the range."""
    lo, hi = date.fromordinal(lo_day), date.fromordinal(hi_day)
    years = [date(y, 1, 1) for y in range(lo.year + 1, hi.year + 1)]
    if 2 <= len(years) <= 7:
        return [(d.toordinal(), str(d.year)) for d in years]
    if len(years) > 7:
        step = math.ceil(len(years) / 6)
        return [(d.toordinal(), str(d.year)) for d in years[::step]]
    months = []
    y, m = lo.year, lo.month
    while True:
        m, y = (1, y + 1) if m == 12 else (m + 1, y)
        if date(y, m, 1) > hi:
            break
        months.append(date(y, m, 1))
    if len(months) >= 2:
        step = math.ceil(len(months) / 6)
        return [(d.toordinal(), d.strftime("%b %Y")) for d in months[::step]]
    step = next((s for s in DAY_STEPS if (hi_day - lo_day) / s <= 6), DAY_STEPS[-1])
    first = lo_day + (-lo_day % step) if step < 7 else lo_day + (-(lo_day - 1) % 7)
    days = range(first, hi_day + 1, step)
    # The year once, on the first tick: the range is too short for it to change more than once.
    return [
        (d, date.fromordinal(d).strftime("%-d %b %Y" if d == first else "%-d %b")) for d in days
    ]


# --- helpers ---------------------------------------------------------------------------------


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _when(c: Row) -> tuple[date, date]:
    """(start, end) of the claim's time scope; its publication date when it has none."""
    start = _day(c.get("as_of_start")) or _day(c.get("as_of_end")) or _day(c.get("published"))
    end = _day(c.get("as_of_end")) or start
    start = start or end or date.today()
    return start, end or start


def _point_day(c: Row) -> float:
    """Where on the time axis the claim's dot goes (see POINT_SCOPE_DAYS)."""
    start, end = (d.toordinal() for d in _when(c))
    if c.get("scope_type") == "cumulative" or end - start > POINT_SCOPE_DAYS:
        return end
    return (start + end) / 2


def _drawn_days(c: Row) -> tuple[int, ...]:
    """The days the time axis must show for this claim: its dot, and its scope when short."""
    start, end = (d.toordinal() for d in _when(c))
    if c.get("scope_type") == "cumulative" or end - start > POINT_SCOPE_DAYS:
        return (end,)
    return (start, end)


def _centre(c: Row) -> float:
    if c["value"] is not None:
        return float(c["value"])
    finite = [v for v in (c["low"], c["high"]) if v is not None]
    return sum(finite) / len(finite) if finite else 0.0


def _spread(x: float, y: float, taken: list[tuple[float, float]]) -> float:
    """Move x right until the mark is at least MIN_GAP pixels from every earlier one."""
    while any(abs(x - tx) < MIN_GAP and abs(y - ty) < 4 * MIN_GAP for tx, ty in taken):
        x += MIN_GAP
    taken.append((x, y))
    return x


def _source(c: Row) -> str:
    return str(c.get("outlet") or c.get("title") or c["doc_id"])


def _label(c: Row) -> str:
    lo = -math.inf if c["low"] is None else c["low"]
    hi = math.inf if c["high"] is None else c["high"]
    interval = format_interval(lo, hi, bool(c["low_inclusive"]), bool(c["high_inclusive"]))
    start, end = _when(c)
    when = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
    return f"“{c['span']}” {interval}, {when} · {_source(c)}"
