"""Event dates: when a date in the text is itself the fact ("the summit was held on 12 March").

A date is usually only the time scope of another figure ("on Monday police said 58 had
died"): then it is no claim. It is one when it dates an event and nothing else: the time
words hang from a verb (or an event noun: "the June 14th blaze", "a runoff on May 7") that is
not a verb of saying, and no other figure sits in that verb's clause (or, for an event
noun, in the noun's own phrase: "since the launch on July 14" is a claim beside the
sentence's other figures). A date that marks a
record ("the highest since 1982", "its first rise since 1995") is a claim whatever else the
clause holds. Datelines ("LONDON, June 24 (Reuters) -") and live-blog stamps are not.

The candidates are the time expressions of ``timescope`` that name a calendar day, month or
year ("on Sept. 20", "in May 2016", "since 2014", "by 2024"); weekdays and relative words
("on Wednesday", "last month") only date other figures. A date claim is stored with
``kind`` 'date', its first and last day in ``as_of_start``/``as_of_end`` and, as numbers, in
``low``/``high`` (days since 1970-01-01; ``value`` is the first day); ``unit`` is its
precision ('day', 'month', 'year'). Word lists are in ``claims/data/extract.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Token

from claims.extract.timescope import TimeExpression, find_time_expressions
from claims.models import DAY_ZERO
from claims.settings import DATA_DIR
from claims.wordlists import Extract, Time, load

DATE_RESOLVERS = frozenset({"date", "month", "year", "since"})
PRECISION = {"date": "day", "month": "month", "year": "year"}
NOUNS = ("NOUN", "PROPN")


@dataclass(frozen=True)
class EventDate:
    """A date the text asserts as the fact: where its words are, the days it allows."""

    start: int  # char offsets in the passage, without the preposition ("Sept. 20")
    end: int
    first: date | None
    last: date | None
    precision: str
    qualifier: str | None
    anchor: Token  # the event's verb or noun
    root: Token  # the date's own head token


def days(d: date) -> float:
    """Days since 1970-01-01: how a date is stored in ``value``, ``low`` and ``high``."""
    return float((d - DAY_ZERO).days)


@lru_cache(maxsize=4)
def _patterns(data_dir: Path = DATA_DIR) -> tuple[re.Pattern[str], re.Pattern[str]]:
    cfg = load(Time, data_dir)
    weekdays = "|".join(cfg.weekdays)
    rules = load(Extract, data_dir)
    preps = "|".join(sorted(rules.date_preps, key=len, reverse=True))
    lead = re.compile(rf"^(?:(?P<prep>(?i:{preps}))\s+)?(?:(?:{weekdays}),?\s+)?")
    dateline = re.compile(r"^[\W_]*(?:[\[(]?[A-Z][\w.'’-]*[\])]?[ ,]+){0,6}$")
    return lead, dateline


def candidates(times: tuple[TimeExpression, ...]) -> list[TimeExpression]:
    """The time expressions that may be an event date (a day, month or year of the calendar)."""
    return [t for t in times if t.resolver in DATE_RESOLVERS]


def read_event_date(
    expr: TimeExpression,
    text: str,
    sdoc: Doc,
    figures: set[int],
    published: date | None,
    rules: Extract,
    data_dir: Path = DATA_DIR,
) -> EventDate | None:
    """The event date ``expr`` states in the parsed passage ``sdoc`` (whose text is ``text``),
    or None when it only dates something else. ``figures`` are the token indices of the
    passage's other figures."""
    lead, dateline = _patterns(data_dir)
    m = lead.match(expr.text)
    prep = (m.group("prep") or "").lower() if m else ""
    start = expr.start + (m.end() if m else 0)
    end = expr.end
    if start >= end or _is_dateline(text, expr, dateline) or _in_stamp(text, expr.start):
        return None
    span = sdoc.char_span(start, end, alignment_mode="expand")
    whole = sdoc.char_span(expr.start, expr.end, alignment_mode="expand")
    if span is None or whole is None or len(span) == 0:
        return None
    first, last = _range(text[start:end], expr, prep, published, data_dir)
    precision = _precision(expr, first, last)
    if prep in rules.date_deadlines and precision != "year":
        return None  # 'return home by May 1': when another state holds, not an event
    root = span.root
    inside = {t.i for t in whole}
    named = _named_day(root, rules)
    if prep == "since" and _marks_record(root, rules):
        anchor: Token | None = root.head  # the record: always a claim of its own
    elif named is not None:
        anchor = named  # 'Sept. 20, the day Maria made landfall'
    else:
        anchor = _event_anchor(root, inside, precision, prep, rules)
        if anchor is None:
            return None
        verb = anchor if anchor.pos_ in ("VERB", "AUX") else _verb_of(anchor)
        clause = _clause(verb) if verb is not None else {t.i for t in anchor.subtree}
        if anchor.pos_ in NOUNS and root.i in {t.i for t in anchor.subtree}:
            # "Since the launch on July 14, the craft has covered two-thirds of the way": the
            # date is the launch's, whatever the rest of the sentence counts.
            clause = {t.i for t in anchor.subtree}
        own = inside | {t.i for t in root.subtree}
        if clause & (figures - own):
            return None
    if _told_as_past(anchor or root) and not _YEAR.search(text[start:end]):
        first, last = _before(first, published), _before(last, published)
    qualifier = prep if prep in rules.date_qualifiers else None
    if qualifier in rules.date_qualifiers_upper:
        first = None
    elif qualifier in rules.date_qualifiers_lower:
        last = None
    return EventDate(start, end, first, last, precision, qualifier, anchor or root, root)


_YEAR = re.compile(r"\b\d{4}\b")


def _told_as_past(anchor: Token) -> bool:
    """Whether the event is told in the past ('struck on Sept. 20', 'had said on June 23')."""
    verb = anchor if anchor.pos_ in ("VERB", "AUX") else _verb_of(anchor)
    if verb is None:
        return False
    return verb.tag_ == "VBD" or (
        verb.tag_ == "VBN" and any(c.dep_ == "aux" and c.tag_ == "VBD" for c in verb.children)
    )


def _before(day: date | None, published: date | None) -> date | None:
    """A day without its year, told in the past, lies before the report: 'Maria struck on
    Sept. 20' in an article of August 2018 is 20 September 2017."""
    if day is None or published is None or day <= published:
        return day
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _named_day(root: Token, rules: Extract) -> Token | None:
    """'Sept. 20, the day Maria made landfall': the verb of the event the date is named for."""
    for child in root.children:
        if child.dep_ == "appos" and child.lemma_.lower() in rules.day_nouns:
            for clause in child.children:
                if clause.dep_ in ("relcl", "acl") and clause.pos_ in ("VERB", "AUX"):
                    return clause
    return None


def _event_anchor(
    root: Token, inside: set[int], precision: str, prep: str, rules: Extract
) -> Token | None:
    """The event the date is the date of, or None. A year alone dates an event only after
    one of ``year_date_preps`` on a verb in the past ('built in 1974') or a projection
    ('expected to close in 2022'); a day or a month may hang from any event."""
    strict = precision == "year"
    if strict and prep not in rules.year_date_preps:
        return None
    if root.dep_ in ("compound", "nmod", "amod") and root.head.pos_ == "PROPN":
        return None  # 'the June 2021 NATO Summit Communique': part of a name
    anchor = _anchor(root, inside, rules, through_nouns=not strict)
    if anchor is None or anchor.pos_ not in ("VERB", "AUX"):
        return anchor
    lemma = anchor.lemma_.lower()
    if lemma in rules.date_not_events:
        return None
    if strict:
        if prep in ("in", "since") and lemma in rules.date_claim_stative:
            return None
        if anchor.tag_ not in rules.date_claim_tags and not projected(anchor, rules):
            return None
    return anchor


def projected(verb: Token, rules: Extract) -> bool:
    """'will launch', 'is expected to close', 'is due to be launched', 'plans to': the verb
    states a future or planned event."""
    node: Token | None = verb
    for _ in range(4):
        if node is None:
            return False
        auxes = [c.lower_ for c in node.children if c.dep_ in ("aux", "auxpass")]
        modal = any(a in rules.future_aux for a in auxes)
        if modal and "have" not in auxes:  # 'may have caused' looks back, not ahead
            return True
        if node.lemma_.lower() in rules.projection_words:
            return True
        if node.dep_ not in ("xcomp", "acomp") or node.head.i == node.i:
            return False
        node = node.head
    return False


def _precision(expr: TimeExpression, first: date | None, last: date | None) -> str:
    """'day', 'month' or 'year': how precisely the words name the date."""
    if first is None or last is None:
        return PRECISION.get(expr.resolver, "year")
    if first == last:
        return "day"
    return "month" if (first.year, first.month) == (last.year, last.month) else "year"


def _is_dateline(text: str, expr: TimeExpression, dateline: re.Pattern[str]) -> bool:
    """'LONDON, June 24 (Reuters) -', 'Washington, Aug 29 (IANS)': the report's own date;
    '... at Pentagon, July 2, 2024' closing a title line: its date."""
    before, after = text[: expr.start], text[expr.end : expr.end + 40]
    if re.search(r",\s*$", before) and not after.strip(" .)"):
        return True
    if re.match(r"\s*\([A-Za-z][^)]{0,40}\)\s*[-–—:]", after):
        return True  # 'Washington [US], September 2 (ANI): ...'
    if re.search(r"[A-Z][\w.'’-]*\]?,\s*$", before) and re.match(r"\s*[-–—:]", after):
        return True  # 'Washington [US], August 31 : ...'
    if not dateline.match(before):
        return False
    return bool(re.match(r"\s*(?:,\s*\d{4}\s*)?(?:\([^)]{1,40}\)\s*)?(?:[-–—:]|$)", after))


def _in_stamp(text: str, at: int) -> bool:
    """Inside a bold live-blog stamp ('**Thursday, Nov. 15 - update**')."""
    return text[:at].count("**") % 2 == 1


def _anchor(root: Token, inside: set[int], rules: Extract, through_nouns: bool) -> Token | None:
    """The verb or event noun the date hangs from, through prepositions and period words ('by
    the end of 2025' -> the verb of 'by'), and, when ``through_nouns``, through other nouns
    ('after football practice on June 23' -> the verb)."""
    node = root
    for _ in range(12):  # a parse is a tree, but a long walk means it was not understood
        head = node.head
        if head.i == node.i:
            return node if node.pos_ in ("VERB", "AUX") and node.i not in inside else None
        lemma = head.lemma_.lower()
        if head.i in inside or head.pos_ == "ADP" or head.dep_ == "prep":
            node = head
        elif head.pos_ in ("VERB", "AUX") or (head.pos_ in NOUNS and lemma in rules.event_nouns):
            return head
        elif head.pos_ in NOUNS and (lemma in rules.period_nouns or through_nouns):
            node = head
        elif head.pos_ in NOUNS:
            return None
        else:
            node = head
    return None


def _verb_of(tok: Token) -> Token | None:
    for node in tok.ancestors:
        if node.pos_ in ("VERB", "AUX"):
            return node
    return None


def _marks_record(root: Token, rules: Extract) -> bool:
    """'the highest since 1982', 'its first half-point increase since 1995', 'the first time
    since the 1969 election': the date of the record the figure is compared with."""
    for node in root.ancestors:
        if node.tag_ in ("JJS", "RBS") or node.lower_ in rules.record_words:
            return True
        if any(c.tag_ in ("JJS", "RBS") or c.lower_ in rules.record_words for c in node.children):
            return True
        if node.pos_ in ("VERB", "AUX"):
            return False
    return False


def _clause(verb: Token) -> set[int]:
    nested = {"relcl", "ccomp", "advcl", "parataxis", "csubj", "acl"}
    out, stack = set(), [verb]
    while stack:
        tok = stack.pop()
        out.add(tok.i)
        stack.extend(
            c
            for c in tok.children
            if c.dep_ not in nested and not (c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))
        )
    return out


def _range(
    core: str, expr: TimeExpression, prep: str, published: date | None, data_dir: Path
) -> tuple[date | None, date | None]:
    """The first and last day the date's own words allow ('since 2014' -> all of 2014)."""
    if expr.resolver != "since":
        return expr.as_of_start, expr.as_of_end
    for found in find_time_expressions(f"in {core}", published, data_dir):
        if found.resolver in ("date", "month", "year"):
            return found.as_of_start, found.as_of_end
    return expr.as_of_start, expr.as_of_start
