"""Durations news writes without a numeral, and durations written in parts.

"caps a week of uncertainty", "more than a fortnight", "a decade ago", "Within a day of the
takeover": an article before a unit of time states one unit. It is a claim when a hedge
comes before it or a word after it makes it a length of time ("of", "ago", "after",
"later", "long"); "£775,477 a week" or "twice a year" is a rate, not a duration.

"25 days, 10 hours and 54 minutes" is one duration, not three: consecutive durations in
falling units joined by commas or "and" are merged (:func:`merge_parts`), in days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.extract import units
from claims.models import QuantityClaim
from claims.settings import DATA_DIR
from claims.wordlists import Extract, Units, load


@dataclass(frozen=True)
class ArticleDuration:
    """'a week': where it is, its hedge, and where the unit word is."""

    start: int
    end: int
    qualifier: str | None
    unit_start: int
    unit: units.Unit
    value: float = 1.0  # 'half a century' is 0.5


@lru_cache(maxsize=4)
def _patterns(
    data_dir: Path = DATA_DIR,
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    rules = load(Extract, data_dir)
    forms = [f for spec in load(Units, data_dir).durations.values() for f in spec["forms"]]
    words = "|".join(
        sorted((f for f in forms if len(f) > 3 and f.isalpha()), key=len, reverse=True)
    )
    hedges = "|".join(sorted(rules.duration_hedges, key=len, reverse=True))
    article = re.compile(
        rf"(?<![\w])(?:(?P<q>(?i:{hedges}))\s+)?(?P<a>(?i:an?))\s+(?P<u>(?i:{words}))\b(?![-‐‑])"
    )
    rate = re.compile(
        rf"(?:\d[\w,.]*\)?\s*(?:[^\W\d_]+\s+){{0,2}}|(?i:{'|'.join(rules.rate_words)})\s+)$"
    )
    half = re.compile(rf"(?<![\w])(?:(?P<q>(?i:{hedges}))\s+)?(?P<p>(?i:half|quarter))\s+$")
    return article, rate, half


def article_durations(
    text: str, rules: Extract, data_dir: Path = DATA_DIR
) -> list[ArticleDuration]:
    """The 'a week', 'more than a fortnight' durations of ``text``."""
    article, rate, half = _patterns(data_dir)
    out = []
    for m in article.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        after = re.match(r"\s*([^\W\d_]+)", text[m.end() : m.end() + 20])
        nxt = after.group(1).lower() if after else ""
        prev = re.findall(r"[^\W\d_]+", before.lower())[-1:]
        if rate.search(before):
            continue
        unit = units.lookup(m.group("u"), data_dir)
        if unit is None or not unit.duration:
            continue
        part = half.search(before) if not m.group("q") else None
        if part is not None:  # '(nearly) half a century': a part of one unit
            value = 0.5 if part.group("p").lower() == "half" else 0.25
            start = m.start() - (len(before) - part.start())
            out.append(ArticleDuration(start, m.end(), part.group("q"), m.start("u"), unit, value))
            continue
        if not (
            m.group("q")
            or nxt in rules.duration_after
            or (prev and prev[0] in rules.duration_before)
        ):
            continue
        out.append(ArticleDuration(m.start(), m.end(), m.group("q"), m.start("u"), unit))
    return out


def merge_parts(
    claims: list[QuantityClaim], text: str, base: int, sha256: str
) -> list[QuantityClaim]:
    """Durations in falling units joined by ',' or 'and' ('12 days and 14 hours') as one
    claim in days; ``text`` is the passage, starting at document offset ``base`` of the
    document whose text hash is ``sha256``."""
    out: list[QuantityClaim] = []
    for c in sorted(claims, key=lambda c: c.char_start):
        prev = out[-1] if out else None
        if prev is not None and _joins(prev, c, text, base):
            days = (prev.value or 0) * prev.measure_factor + (c.value or 0) * c.measure_factor
            days = float(f"{days:.12g}")
            end = c.char_end
            out[-1] = prev.model_copy(
                update={
                    "claim_id": QuantityClaim.make_id(sha256, prev.char_start, end),
                    "span": text[prev.char_start - base : end - base],
                    "char_end": end,
                    "value": days,
                    "low": days,
                    "high": days,
                    "unit": "day",
                    "measure_factor": 1.0,
                    "tolerance": c.tolerance * c.measure_factor,
                }
            )
            continue
        out.append(c)
    return out


def _joins(a: QuantityClaim, b: QuantityClaim, text: str, base: int) -> bool:
    if a.kind != "duration" or b.kind != "duration" or a.value is None or b.value is None:
        return False
    if a.qualifier or b.qualifier or b.measure_factor >= a.measure_factor:
        return False
    gap = text[a.char_end - base : b.char_start - base]
    return re.fullmatch(r"\s*(?:,|and|,\s*and)\s*", gap) is not None
