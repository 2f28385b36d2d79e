"""The interval a claim asserts, in its measure's base unit, and how two intervals meet."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from claims.crosscheck.columns import ClaimRow, ReadRow, as_floats, as_mask
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


def claim_intervals(
    columns: Mapping[str, pa.Array], settings: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`claim_interval` of every row of claims' columns (the same floats, tested), and
    each row's factor (``measure_factor``, 1 when it has none)."""
    factor = as_floats(columns["measure_factor"], 1.0)
    factor[factor == 0] = 1.0
    no_low, no_high = as_mask(columns["low"].is_null()), as_mask(columns["high"].is_null())
    lo = np.where(no_low, -INF, as_floats(columns["low"]) * factor)
    hi = np.where(no_high, INF, as_floats(columns["high"]) * factor)
    half = as_floats(columns["tolerance"], 0.0) * factor
    widened = (
        settings.rounding_tolerance
        & (half != 0)
        & as_mask(columns["qualifier"].is_null())
        & (lo == hi)
    )
    lo_inc = np.where(widened, True, as_mask(columns["low_inclusive"]))
    hi_inc = np.where(widened, False, as_mask(columns["high_inclusive"]))
    return (
        np.where(widened, lo - half, lo),
        np.where(widened, hi + half, hi),
        lo_inc,
        hi_inc,
        factor,
    )


def intervals_overlap(a: Interval, b: Interval) -> bool:
    """Whether two intervals (lo, hi, lo_inclusive, hi_inclusive) share a point; ±inf = open."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if lo != hi:
        return lo < hi
    return all((x[0] < lo or x[2]) and (x[1] > lo or x[3]) for x in (a, b))
