"""Number expressions in news text: where they are, what they state, and the interval they assert.

``find_numbers(text)`` returns every number expression left to right, non-overlapping, longest
match, as :class:`NumberMention`: the span (qualifier + currency + numeral + scale + percent or
unit suffix), the numeral's own span, the value, the interval, the qualifier as written, the form
and the currency. Pure Python; the word lists are data (``claims/data/numbers.json``,
``qualifiers.json``, ``currencies.json``); ``claims.extract.numbers.words`` reads numerals and
``claims.extract.numbers.context`` blanks what is not a quantity (dates, times, identifiers, designations,
idioms, pronoun 'one').

The interval rule
-----------------
The stored interval is what the words assert, and nothing else:

- a qualifier gives its interval from ``claims/data/qualifiers.json``, on the stated value,
  with the factors of ``Settings`` ('more than 14,000' -> (14000, inf); 'some 100,000' ->
  [90000, 110000]; 'Nearly 50' -> [45, 50));
- vague amounts, ranges and decades give their own bounds ('tens of thousands' -> [20000, 99999];
  '$5-7 billion' -> [5e9, 7e9]; '1990s' -> [1990, 1999]); a range under a one-sided hedge spans
  the hedge of both ends ('up to 10,000-15,000' -> [0, 15000]);
- an exact figure is [X, X] ('USD 60 million', '15 drafts', 'seven-year').

Rounding is not written into the stored interval: whether '14,000' allows 14,400 is a question of
comparison, not of what the text says, and '60 million' is as likely exact as rounded. The
rounding tolerance (half a unit of the last significant digit: 14,000 -> 500, 2.3
billion -> 50 million) is :func:`rounding_tolerance`, which the cross-checker applies to exact
figures when ``Settings.rounding_tolerance`` is on; ``interval(..., precision_text=...)`` returns
the widened interval for callers that want it. An unbounded side is reported inclusive. Ranges have ``value`` None (two numbers are stated; the interval holds both).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.extract.numbers.context import NUL, NumberLexicon
from claims.extract.numbers.spans import Draft, grow, mark_year, pairs, qualify, word_amounts
from claims.extract.numbers.words import parse_run, tokenize
from claims.settings import DATA_DIR, Settings

FORMS = (
    "number", "money", "percent", "percentage_point", "ordinal", "range", "vague", "fraction",
    "multiplier", "year",
)  # fmt: skip
_VALUE_FORMS = ("number", "money", "percent", "percentage_point", "multiplier", "fraction")


@dataclass(frozen=True)
class NumberMention:
    """One number expression; ``text[start:end] == self.text`` in the text it was found in."""

    start: int
    end: int
    text: str
    number_start: int
    number_end: int
    value: float | None
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    qualifier: str | None
    form: str
    currency: str | None
    unit_suffix: str | None
    is_words: bool


@lru_cache(maxsize=4)
def _lexicon(data_dir: Path = DATA_DIR) -> NumberLexicon:
    return NumberLexicon(data_dir)


@lru_cache(maxsize=1)
def _default_settings() -> Settings:
    return Settings()


_lexicon()  # compile the default lexicon at import time, not on the first paragraph


def find_numbers(text: str, settings: Settings | None = None) -> list[NumberMention]:
    """All number expressions in ``text``, left to right, non-overlapping, longest match."""
    settings = settings or _default_settings()
    return _find(text, _lexicon(settings.data_dir), settings)


def parse_number(text: str) -> float | None:
    """The value of a number written alone: '14,000' -> 14000, '$1.2bn' -> 1.2e9, '60m' -> 6e7,
    'twenty-five' -> 25, 'a third' -> 0.333.., 'twice' -> 2, '24th' -> 24; None when ``text`` is
    not one number (or is a vague amount such as 'hundreds')."""
    settings = _default_settings()
    found = _find(text, _lexicon(settings.data_dir), settings, m_is_million=True)
    return found[0].value if len(found) == 1 else None


def interval(
    value: float, qualifier: str | None, settings: Settings, *, precision_text: str | None = None
) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low_inclusive, high_inclusive) asserted by ``qualifier`` about ``value``.

    The qualifier table is ``claims/data/qualifiers.json``; its factors are ``Settings`` fields
    (approx_low, approx_high, nearly_low, just_over_high). None is an unbounded side. An exact
    figure is [value, value], widened by :func:`rounding_tolerance` of ``precision_text`` when
    that is given and ``settings.rounding_tolerance`` is on. Unknown qualifiers count as exact.
    """
    lex = _lexicon(settings.data_dir)
    kind = (
        lex.qual_types.get(" ".join(qualifier.lower().split()), "exact") if qualifier else "exact"
    )
    rule = lex.interval_types[kind]

    def bound(spec: str) -> float | None:
        if spec == "x":
            return value
        if spec == "none":
            return None
        if spec == "zero":
            return 0.0 if value >= 0 else None
        return float(getattr(settings, spec)) * value

    low, high = bound(rule["low"]), bound(rule["high"])
    low_inc, high_inc = bool(rule["low_inclusive"]), bool(rule["high_inclusive"])
    if low is not None and high is not None and low > high:
        low, high, low_inc, high_inc = high, low, high_inc, low_inc
    if kind == "exact" and precision_text and settings.rounding_tolerance and low is not None:
        half = rounding_tolerance(value, precision_text)
        low, high = low - half, (high or 0.0) + half
    return _clean(low), _clean(high), low_inc, high_inc


def rounding_tolerance(value: float, text: str) -> float:
    """Half a unit of the last significant digit of ``value`` as written in ``text``.

    '14,000' -> 500; 'USD 2.3 billion' -> 5e7; '60 million' -> 5e6; '15 drafts' -> 0.5;
    'seven' -> 0.5; 0 for ordinals, years, fractions, vague amounts and when no number in
    ``text`` states ``value``.
    """
    for m in find_numbers(text):
        if m.value is not None and m.form in _VALUE_FORMS and math.isclose(m.value, value):
            return _half_unit(text[m.number_start : m.number_end], m.value)
    return 0.0


def _half_unit(numeral: str, value: float) -> float:
    digits = re.search(r"\d[\d,\u00a0\u202f\u2009 ]*(?:\.\d+)?|\.\d+", numeral)
    if digits is None:
        whole = abs(value)
        if whole != int(whole):
            return 0.0
        return 0.5 * 10.0 ** _trailing_zeros(str(int(whole)))
    literal = re.sub(r"[,\s\u00a0\u202f\u2009]", "", digits.group(0)).rstrip()
    mantissa = float(literal)
    if mantissa == 0:
        return 0.0
    scale = abs(value) / mantissa
    power = round(math.log10(scale)) if scale > 0 else 0
    scale = 10.0**power if math.isclose(scale, 10.0**power, rel_tol=1e-9) else 1.0
    if "." in literal:
        return 0.5 * 10.0 ** -len(literal.split(".")[1]) * scale
    return 0.5 * 10.0 ** _trailing_zeros(literal) * scale


def _trailing_zeros(digits: str) -> int:
    return len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0


def _clean(x: float | None) -> float | None:
    """Round away float noise (1.1 * 3500 = 3850.0000000000005) at 12 significant digits."""
    if x is None:
        return None
    x = float(x)
    return x if x.is_integer() or not math.isfinite(x) else float(f"{x:.12g}")


# -- finding -------------------------------------------------------------------------------------


def _find(
    text: str, lex: NumberLexicon, settings: Settings, *, m_is_million: bool = False
) -> list[NumberMention]:
    if not text or not lex.may_hold_number(text):
        return []
    masked = lex.mask(text)
    drafts, blank = word_amounts(text, masked, lex)
    if blank:
        chars = list(masked)
        for s, e in blank:
            chars[s:e] = NUL * (e - s)
        masked = "".join(chars)
    for run in tokenize(masked, lex.words):
        for numeral, _ in parse_run(run):
            if numeral is not None:
                draft = grow(text, masked, numeral, lex, m_is_million)
                if draft is not None:
                    drafts.append(draft)
    drafts.sort(key=lambda d: (d.start, d.end))
    drafts = pairs(text, drafts, lex)
    for d in drafts:
        qualify(text, d, lex)
        mark_year(text, d, lex)
    mentions = [m for d in drafts if _finite(m := _mention(text, d, lex, settings))]
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start)))
    out: list[NumberMention] = []
    for m in mentions:
        if not out or m.start >= out[-1].end:
            out.append(m)
    return out


def _finite(m: NumberMention) -> bool:
    """Whether every figure fits a float: a numeral of 309 digits states no quantity, and its
    infinity would poison sums and comparisons downstream."""
    return all(x is None or math.isfinite(x) for x in (m.value, m.low, m.high))


def _mention(text: str, d: Draft, lex: NumberLexicon, settings: Settings) -> NumberMention:
    if d.bounds is not None and d.form == "range" and d.qualifier:
        # A one-sided hedge applies to both ends: 'up to 10,000-15,000' is [0, 15000]; 'between'
        # and 'from' are not in the qualifier table, so they stay [X, Y].
        low, _, li, _ = interval(d.bounds[0], d.qualifier, settings)
        _, high, _, hi = interval(d.bounds[1], d.qualifier, settings)
    elif d.bounds is not None:
        low, high, li, hi = _clean(d.bounds[0]), _clean(d.bounds[1]), True, True
    elif d.form in ("ordinal", "year"):
        low = high = _clean(d.value)
        li = hi = True
    else:
        low, high, li, hi = interval(d.value or 0.0, d.qualifier, settings)
    return NumberMention(
        start=d.start, end=d.end, text=text[d.start : d.end], number_start=d.nstart,
        number_end=d.nend, value=_clean(d.value), low=low, high=high, low_inclusive=li,
        high_inclusive=hi, qualifier=d.qualifier, form=d.form, currency=d.currency,
        unit_suffix=d.unit_suffix, is_words=d.is_words,
    )  # fmt: skip
