"""The interval a claim asserts, in its measure's base unit, and how two intervals meet."""

from __future__ import annotations

import math

from claims.crosscheck.columns import ClaimRow, ReadRow
from claims.models import QuantityClaim
from claims.settings import Settings

INF = math.inf

Interval = tuple[float, float, bool, bool]  # low, high, low inclusive, high inclusive


def claim_interval(c: QuantityClaim | ClaimRow | ReadRow, settings: Settings) -> Interval:
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
