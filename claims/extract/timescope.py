"""Time scopes: find time words in a text and resolve them against the publication date.

The patterns live in ``claims/data/time.json``; each names a resolver below that turns its match
into an interval of dates ("last month" in an article of 7 May 2021 -> 1-30 April 2021). Which
time words belong to which claim is decided from the parse (:func:`attached`): only words in the
claim's own clause count, so "in 2014" in a relative clause does not date the main clause.

Calendar conventions: weeks start on Monday; "this year" runs from 1 January to the publication
date; "on Monday" is the most recent Monday on or before it; a day and month without a year is
the occurrence nearest the publication date, a month alone the most recent one not after it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Token

from claims.settings import DATA_DIR
from claims.wordlists import Time, load

# Clause-level dependents whose time words describe another event than their head's.
NESTED_CLAUSES = frozenset({"relcl", "ccomp", "advcl", "parataxis", "csubj", "acl"})
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
SUPERLATIVE_TAGS = frozenset({"JJS", "RBS"})


@dataclass(frozen=True)
class TimeExpression:
    """Time words found in a text, with the dates they denote (``None`` when unresolvable)."""

    start: int
    end: int
    text: str
    rule: str
    resolver: str
    as_of_start: date | None
    as_of_end: date | None
    scope: str | None = None


@dataclass(frozen=True)
class _Pattern:
    name: str
    regex: re.Pattern[str]
    resolver: str
    scope: str | None


@lru_cache(maxsize=4)
def _config(data_dir: Path = DATA_DIR) -> Time:
    return load(Time, data_dir)


@lru_cache(maxsize=4)
def _patterns(data_dir: Path = DATA_DIR) -> tuple[_Pattern, ...]:
    cfg = _config(data_dir)

    def alternation(words: Iterable[str]) -> str:
        return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"

    fill = {
        "{MONTH}": alternation(cfg.months),
        "{WEEKDAY}": alternation(cfg.weekdays),
        "{UNIT}": alternation(cfg.units),
        "{COUNT}": "(?:\\d+|" + alternation(cfg.counts)[3:-1] + ")",
        "{YEAR}": "(?:1[89]|20)\\d{2}",
        "{DAY}": "(?:[12]\\d|3[01]|0?[1-9])",
    }
    out = []
    for p in cfg.patterns:
        source = p["regex"]
        for key, value in fill.items():
            source = source.replace(key, value)
        out.append(_Pattern(p["name"], re.compile(source), p["resolve"], p.get("scope")))
    return tuple(out)


def find_time_expressions(
    text: str, published: date | None, data_dir: Path = DATA_DIR
) -> list[TimeExpression]:
    """Every time expression in ``text``, resolved against ``published``, in text order.

    Overlapping matches are resolved in favour of the longer one ("this year alone" over
    "this year"). Relative expressions resolve to ``None`` dates when ``published`` is unknown.
    """
    found: list[tuple[int, int, _Pattern, re.Match[str]]] = []
    for pattern in _patterns(data_dir):
        for m in pattern.regex.finditer(text):
            found.append((m.start(), m.end(), pattern, m))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: list[tuple[int, int]] = []
    kept = []
    for start, end, pattern, m in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        try:
            resolved = _RESOLVERS[pattern.resolver](m, published, _config(data_dir))
        except (ValueError, OverflowError):
            # "5000 years ago" lies before year 1, where Python's dates end: left unresolved,
            # as with no publication date, rather than failing the document.
            resolved = (None, None)
        if resolved is None:
            continue
        low, high = resolved
        kept.append(
            TimeExpression(
                start, end, m.group(0), pattern.name, pattern.resolver, low, high, pattern.scope
            )
        )
    return sorted(kept, key=lambda t: t.start)


def lead_expression(
    passages: Sequence[str], published: date | None, data_dir: Path = DATA_DIR
) -> TimeExpression | None:
    """The day a news story reports on, from the time words of its opening paragraphs.

    Ledes date the reported event ("Biden on Wednesday met..."); later past-tense mentions of
    that event usually carry no time words of their own. Only day words ("on Wednesday",
    "yesterday") count: a bare date at the top of a page is usually the dateline.
    """
    cfg = _config(data_dir)
    wanted = set(cfg.lead_resolvers)
    seen = 0
    for passage in passages:
        if len(passage.split()) < cfg.lead_min_words:
            continue
        for expr in find_time_expressions(passage, published, data_dir):
            if expr.resolver in wanted and expr.as_of_start is not None:
                return expr
        seen += 1
        if seen >= cfg.lead_passages:
            break
    return None


def attached(
    anchor: Token, expressions: Sequence[TimeExpression], sdoc: Doc, offset: int = 0
) -> TimeExpression | None:
    """The time expression that belongs to the clause of ``anchor``, if any.

    Walks up from ``anchor`` to its governing verb; at each step the expressions inside the
    current subtree (minus nested clauses off the path) are candidates, and the first step that
    has one wins, nearest in the text first. ``offset`` is the char offset of ``sdoc`` in the
    text the expressions were found in.
    """
    if not expressions:
        return None
    token_of = {}
    for expr in expressions:
        span = sdoc.char_span(expr.start - offset, expr.end - offset, alignment_mode="expand")
        if span is not None and span.sent == anchor.sent:
            token_of[expr] = span
    if not token_of:
        return None
    path: list[Token] = [anchor]
    node = anchor
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        node = node.head
        path.append(node)
    on_path = {t.i for t in path}
    for top in path:
        inside = _clause_tokens(top, on_path, skip_subjects=top.pos_ in ("VERB", "AUX"))
        hits = [e for e, span in token_of.items() if any(t.i in inside for t in span)]
        if hits:
            return min(hits, key=lambda e: abs(e.start - offset - anchor.idx))
    return None


def _clause_tokens(top: Token, on_path: set[int], skip_subjects: bool) -> set[int]:
    """Indices of ``top``'s subtree, skipping nested clauses that do not contain the anchor.

    At the verb, its subject is skipped too (unless the anchor is in it): time words inside
    the subject ("the strategy approved on 14 September launched 15 drafts") date the subject.
    So is a superlative's phrase ("61.2 percent, the highest since 1992"), and the "since" of
    a superlative on the path ("the largest package since 2022, 50 tanks"); its other
    prepositions may date the figure ("the largest delivery on Monday, 50 tanks").
    """
    out: set[int] = set()
    stack = [top]
    while stack:
        tok = stack.pop()
        out.add(tok.i)
        for child in tok.children:
            if child.i in on_path:
                stack.append(child)
            elif (
                child.dep_ in NESTED_CLAUSES
                or (skip_subjects and tok.i == top.i and child.dep_ in SUBJECTS)
                or _superlative(child)
                or (child.dep_ == "prep" and child.lower_ == "since" and _superlative(tok))
            ):
                continue
            else:
                stack.append(child)
    return out


def _superlative(tok: Token) -> bool:
    """'the highest since 1992', 'its lowest level since 2009': the time words measure the
    record the figure is compared with, not when the figure holds."""
    return tok.tag_ in SUPERLATIVE_TAGS or any(
        c.dep_ == "amod" and c.tag_ in SUPERLATIVE_TAGS for c in tok.children
    )


# --- resolvers: (match, published, config) -> (start, end) or None to drop the match ---

Resolved = tuple[date | None, date | None] | None


def _month_number(m: re.Match[str], cfg: Time) -> int:
    groups = m.groupdict()
    if groups.get("month_num"):
        return int(groups["month_num"])
    return int(cfg.months[groups["month"]])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve_date(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    month, day = _month_number(m, cfg), int(m.group("day"))
    if m.groupdict().get("year"):
        d = _safe_date(int(m.group("year")), month, day)
        return None if d is None else (d, d)
    if published is None:
        return (None, None)
    options = [_safe_date(published.year + k, month, day) for k in (-1, 0, 1)]
    valid = [d for d in options if d is not None]
    if not valid:
        return None
    d = min(valid, key=lambda d: abs((d - published).days))
    return (d, d)


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _resolve_month(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    month = _month_number(m, cfg)
    if m.groupdict().get("year"):
        return _month_bounds(int(m.group("year")), month)
    if published is None:
        return (None, None)
    year = published.year if month <= published.month else published.year - 1
    return _month_bounds(year, month)


def _resolve_year(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    year = int(m.group("year"))
    return date(year, 1, 1), date(year, 12, 31)


def _resolve_since(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    groups = m.groupdict()
    if groups.get("year"):
        year = int(groups["year"])
    elif published is not None:
        year = published.year if _month_number(m, cfg) <= published.month else published.year - 1
    else:
        return (None, None)
    month = _month_number(m, cfg) if groups.get("month") else 1
    day = int(groups["day"]) if groups.get("day") else 1
    return _safe_date(year, month, day), published


def _unit_start(d: date, unit: str) -> date:
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    return d.replace(month=1, day=1)


def _unit_end(d: date, unit: str) -> date:
    if unit == "week":
        return _unit_start(d, unit) + timedelta(days=6)
    if unit == "month":
        return _month_bounds(d.year, d.month)[1]
    return d.replace(month=12, day=31)


def _shift(d: date, unit: str, n: int) -> date:
    """``d`` moved by ``n`` units (negative: back), clamping the day to the target month."""
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    months = {"month": 1, "year": 12, "decade": 120}[unit] * n
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def _count(m: re.Match[str], cfg: Time) -> int:
    raw = (m.groupdict().get("count") or "1").lower()
    return int(raw) if raw.isdigit() else int(cfg.counts.get(raw, 1))


def _unit(m: re.Match[str], cfg: Time) -> str:
    return str(cfg.units.get(m.group("unit").lower(), m.group("unit").lower()))


def _resolve_past_n(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    if published is None:
        return (None, None)
    return _shift(published, _unit(m, cfg), -_count(m, cfg)), published


def _resolve_ago(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    if published is None:
        return (None, None)
    d = _shift(published, _unit(m, cfg), -_count(m, cfg))
    return d, d


def _resolve_this_unit(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    if published is None:
        return (None, None)
    return _unit_start(published, _unit(m, cfg)), published


def _resolve_last_unit(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    if published is None:
        return (None, None)
    unit = _unit(m, cfg)
    before = _shift(_unit_start(published, unit), unit, -1)
    return before, _unit_end(before, unit)


def _resolve_next_unit(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    if published is None:
        return (None, None)
    unit = _unit(m, cfg)
    after = _shift(_unit_start(published, unit), unit, 1)
    return after, _unit_end(after, unit)


def _resolve_weekday(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    if published is None:
        return (None, None)
    target = int(cfg.weekdays[m.group("weekday")])
    back = (published.weekday() - target) % 7
    words = m.group(0).lower().split()
    if words[0] == "next":
        d = published + timedelta(days=(target - published.weekday()) % 7 or 7)
    elif words[0] == "last" and back == 0:
        d = published - timedelta(days=7)
    else:
        d = published - timedelta(days=back)
    return d, d


def _resolve_day_word(m: re.Match[str], published: date | None, cfg: Time) -> Resolved:
    if published is None:
        return (None, None)
    d = published + timedelta(days=int(cfg.day_words[m.group("dayword").lower()]))
    return d, d


_RESOLVERS: dict[str, Callable[[re.Match[str], date | None, Time], Resolved]] = {
    "date": _resolve_date,
    "month": _resolve_month,
    "year": _resolve_year,
    "since": _resolve_since,
    "past_n": _resolve_past_n,
    "ago": _resolve_ago,
    "this_unit": _resolve_this_unit,
    "last_unit": _resolve_last_unit,
    "next_unit": _resolve_next_unit,
    "weekday": _resolve_weekday,
    "day_word": _resolve_day_word,
}
