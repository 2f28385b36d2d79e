"""How figures, intervals and dates are written: the same in a relation's reason, the report,
its charts and the review UI."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta

from claims.models import DAY_ZERO

INF = math.inf


def format_interval(
    lo: float,
    hi: float,
    lo_inc: bool,
    hi_inc: bool,
    number: Callable[[float], str] | None = None,
) -> str:
    """``(50, ∞)``, ``[45, 50)``: brackets for inclusive ends, parentheses for open ones.
    ``number`` writes each end (``format_number``, or a memo of it)."""
    number = number or format_number
    left = "[" if lo_inc and lo > -INF else "("
    right = "]" if hi_inc and hi < INF else ")"
    return f"{left}{number(lo)}, {number(hi)}{right}"


def format_days(lo: float, hi: float) -> str:
    """A date claim's days (since 1970-01-01) as ISO dates: ``2017-09-20`` or
    ``[2017-09-01, 2017-09-30]``; an open end is ``…``."""

    def day(v: float) -> str:
        return "…" if math.isinf(v) else (DAY_ZERO + timedelta(days=int(v))).isoformat()

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


def format_number(v: float, decimals: int = 4) -> str:
    """14,000; 2.3 billion; 0.5; ∞: at most ``decimals`` places, no trailing zeros."""
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        # Only round figures get a scale word, so that no digit of the figure is lost.
        if abs(v) >= scale and float(v * 1000 / scale).is_integer():
            return f"{v / scale:,.4g} {word}"
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.{decimals}f}".rstrip("0").rstrip(".")


def iso_day(value: object) -> str | None:
    """A date or timestamp as its ISO day (``2024-07-02``); other values as text, None as None."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None else str(value)
