"""The interval a claim asserts, in its measure's base unit, and how intervals are compared
and written."""

from __future__ import annotations

import math
from datetime import date, timedelta

from claims.models import QuantityClaim
from claims.settings import Settings

INF = math.inf
_EPOCH = date(1970, 1, 1)  # a date claim's value counts days from it

Interval = tuple[float, float, bool, bool]  # low, high, low inclusive, high inclusive


def claim_interval(c: QuantityClaim, settings: Settings) -> Interval:
    """``[low, high]`` times ``measure_factor``; an exact figure widened by its rounding
    (``tolerance``: "14,000" asserts [13,500, 14,500)) when ``settings.rounding_tolerance``.
    The rounding interval is half-open, as rounding is: "16,141,241" and "16,141,242" do not
    meet at 16,141,241.5."""
    factor = c.measure_factor or 1.0
    lo = -INF if c.low is None else c.low * factor
    hi = INF if c.high is None else c.high * factor
    half = (c.tolerance or 0.0) * factor
    if settings.rounding_tolerance and half and c.qualifier is None and lo == hi:
        return lo - half, hi + half, True, False
    return lo, hi, c.low_inclusive, c.high_inclusive


def intervals_overlap(a: Interval, b: Interval) -> bool:
    """Whether two intervals (lo, hi, lo_inclusive, hi_inclusive) share a point; ±inf = open."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if lo != hi:
        return lo < hi
    return all((x[0] < lo or x[2]) and (x[1] > lo or x[3]) for x in (a, b))


def format_interval(lo: float, hi: float, lo_inc: bool, hi_inc: bool) -> str:
    """``(50, ∞)``, ``[45, 50)``: brackets for inclusive ends, parentheses for open ones."""
    left = "[" if lo_inc and lo > -INF else "("
    right = "]" if hi_inc and hi < INF else ")"
    return f"{left}{format_number(lo)}, {format_number(hi)}{right}"


def format_days(lo: float, hi: float) -> str:
    """A date claim's days (since 1970-01-01) as ISO dates: ``2017-09-20`` or
    ``[2017-09-01, 2017-09-30]``; an open end is ``…``."""

    def day(v: float) -> str:
        return "…" if math.isinf(v) else (_EPOCH + timedelta(days=int(v))).isoformat()

    return day(lo) if lo == hi else f"[{day(lo)}, {day(hi)}]"


def format_euros(lo: float, hi: float, lo_inc: bool, hi_inc: bool) -> str:
    """A sum in euros to four significant digits: ``EUR 219.2 million``, or its interval
    (``EUR [199.8 million, 244.2 million]``) when it is not one amount."""

    def euros(v: float) -> str:
        return format_number(v if math.isinf(v) or v == 0 else float(f"{v:.4g}"))

    if lo == hi:
        return f"EUR {euros(lo)}"
    left = "[" if lo_inc and lo > -INF else "("
    right = "]" if hi_inc and hi < INF else ")"
    return f"EUR {left}{euros(lo)}, {euros(hi)}{right}"


def format_number(v: float) -> str:
    """14,000; 2.3 billion; 0.5; ∞."""
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        # Only round figures get a scale word, so that no digit of the figure is lost.
        if abs(v) >= scale and float(v * 1000 / scale).is_integer():
            return f"{v / scale:,.4g} {word}"
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.4f}".rstrip("0").rstrip(".")
