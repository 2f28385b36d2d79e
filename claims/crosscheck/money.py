"""Sums of money in euros, so that "€222m" meets "$262 million" and "£198m".

The rates are the European Central Bank's reference rates of each day, as the
``currencyconverter`` package ships them (1999 on, no network). A day outside its range takes
the nearest rate it has; a currency the bank does not quote stays in its own unit.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from currency_converter import CurrencyConverter  # type: ignore[import-untyped]


@cache
def _converter() -> CurrencyConverter:
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def quoted(currency: str) -> bool:
    """Whether the bank quotes ``currency`` (an ISO 4217 code)."""
    return currency == "EUR" or currency in _converter().currencies


@cache
def euros_per(currency: str, day: date) -> float | None:
    """Euros for one unit of ``currency`` on ``day``; None when the bank does not quote it."""
    if currency == "EUR":
        return 1.0
    if not quoted(currency):
        return None
    return float(_converter().convert(1.0, currency, "EUR", date=day))
